/**
 * Kubernetes `core/v1` Affinity, as Forklift's Plan uses it for `targetAffinity` and
 * `convertorAffinity`. Forklift's CRD inlines the full schema (marked atomic); so do we.
 *
 * @see https://kubernetes.io/docs/reference/kubernetes-api/workload-resources/pod-v1/#affinity
 */
import type { Int32 } from './meta.js';

/** A label selector requirement: `key operator values`. */
export interface LabelSelectorRequirement {
  key: string;
  /** In, NotIn, Exists or DoesNotExist. */
  operator: string;
  values?: string[];
}

/** `meta/v1.LabelSelector`. */
export interface LabelSelector {
  matchExpressions?: LabelSelectorRequirement[];
  matchLabels?: Record<string, string>;
}

/** A node selector requirement: `key operator values`. */
export interface NodeSelectorRequirement {
  key: string;
  /** In, NotIn, Exists, DoesNotExist, Gt or Lt. */
  operator: string;
  values?: string[];
}

/** One term of a node selector; its requirements are ANDed. */
export interface NodeSelectorTerm {
  matchExpressions?: NodeSelectorRequirement[];
  matchFields?: NodeSelectorRequirement[];
}

/** Required node selector terms; the terms are ORed. */
export interface NodeSelector {
  nodeSelectorTerms: NodeSelectorTerm[];
}

/** A weighted preferred node term. */
export interface PreferredSchedulingTerm {
  preference: NodeSelectorTerm;
  /** 1–100. */
  weight: Int32;
}

/** Node affinity rules. */
export interface NodeAffinity {
  preferredDuringSchedulingIgnoredDuringExecution?: PreferredSchedulingTerm[];
  requiredDuringSchedulingIgnoredDuringExecution?: NodeSelector;
}

/** Pods to be co-located with (or kept away from), on a topology domain. */
export interface PodAffinityTerm {
  labelSelector?: LabelSelector;
  matchLabelKeys?: string[];
  mismatchLabelKeys?: string[];
  namespaceSelector?: LabelSelector;
  namespaces?: string[];
  /** Node label that defines the domain, e.g. `kubernetes.io/hostname`. */
  topologyKey: string;
}

/** A weighted preferred pod affinity term. */
export interface WeightedPodAffinityTerm {
  podAffinityTerm: PodAffinityTerm;
  /** 1–100. */
  weight: Int32;
}

/** Pod affinity or anti-affinity rules. */
export interface PodAffinity {
  preferredDuringSchedulingIgnoredDuringExecution?: WeightedPodAffinityTerm[];
  requiredDuringSchedulingIgnoredDuringExecution?: PodAffinityTerm[];
}

/** `core/v1.Affinity`. */
export interface Affinity {
  nodeAffinity?: NodeAffinity;
  podAffinity?: PodAffinity;
  podAntiAffinity?: PodAffinity;
}
