/**
 * Kubernetes `core/v1` Affinity, as Forklift's Plan uses it for `targetAffinity` and
 * `convertorAffinity`. Forklift's CRD inlines the full schema (marked atomic); so do we.
 *
 * @see https://kubernetes.io/docs/reference/kubernetes-api/workload-resources/pod-v1/#affinity
 */
import type { Int32 } from './meta.js';

/** A label selector requirement: `key operator values`. */
export interface LabelSelectorRequirement {
  /** Label key the requirement applies to. */
  key: string;
  /** In, NotIn, Exists or DoesNotExist. */
  operator: string;
  /** Values for In and NotIn; empty for Exists and DoesNotExist. */
  values?: string[];
}

/** `meta/v1.LabelSelector`. */
export interface LabelSelector {
  /** Requirements, ANDed. */
  matchExpressions?: LabelSelectorRequirement[];
  /** key=value pairs, ANDed with matchExpressions. */
  matchLabels?: Record<string, string>;
}

/** A node selector requirement: `key operator values`. */
export interface NodeSelectorRequirement {
  /** Node label (or field) key. */
  key: string;
  /** In, NotIn, Exists, DoesNotExist, Gt or Lt. */
  operator: string;
  /** Values for In and NotIn; one integer for Gt and Lt. */
  values?: string[];
}

/** One term of a node selector; its requirements are ANDed. */
export interface NodeSelectorTerm {
  /** Requirements on node labels. */
  matchExpressions?: NodeSelectorRequirement[];
  /** Requirements on node fields (metadata.name). */
  matchFields?: NodeSelectorRequirement[];
}

/** Required node selector terms; the terms are ORed. */
export interface NodeSelector {
  /** The node must match one of these terms. */
  nodeSelectorTerms: NodeSelectorTerm[];
}

/** A weighted preferred node term. */
export interface PreferredSchedulingTerm {
  /** Nodes matching this term are preferred. */
  preference: NodeSelectorTerm;
  /** 1–100. */
  weight: Int32;
}

/** Node affinity rules. */
export interface NodeAffinity {
  /** Soft rules: weighted preferences. */
  preferredDuringSchedulingIgnoredDuringExecution?: PreferredSchedulingTerm[];
  /** Hard rules: a node must match. */
  requiredDuringSchedulingIgnoredDuringExecution?: NodeSelector;
}

/** Pods to be co-located with (or kept away from), on a topology domain. */
export interface PodAffinityTerm {
  /** The pods this term is about. */
  labelSelector?: LabelSelector;
  /** Label keys whose values (taken from the incoming pod) must also match. */
  matchLabelKeys?: string[];
  /** Label keys whose values (taken from the incoming pod) must not match. */
  mismatchLabelKeys?: string[];
  /** Namespaces (by label) the pods are looked for in. */
  namespaceSelector?: LabelSelector;
  /** Namespaces (by name) the pods are looked for in. */
  namespaces?: string[];
  /** Node label that defines the domain, e.g. `kubernetes.io/hostname`. */
  topologyKey: string;
}

/** A weighted preferred pod affinity term. */
export interface WeightedPodAffinityTerm {
  /** The term. */
  podAffinityTerm: PodAffinityTerm;
  /** 1–100. */
  weight: Int32;
}

/** Pod affinity or anti-affinity rules. */
export interface PodAffinity {
  /** Soft rules: weighted preferences. */
  preferredDuringSchedulingIgnoredDuringExecution?: WeightedPodAffinityTerm[];
  /** Hard rules: every term must hold. */
  requiredDuringSchedulingIgnoredDuringExecution?: PodAffinityTerm[];
}

/** `core/v1.Affinity`. */
export interface Affinity {
  /** Which nodes to run on. */
  nodeAffinity?: NodeAffinity;
  /** Which pods to run near. */
  podAffinity?: PodAffinity;
  /** Which pods to keep away from. */
  podAntiAffinity?: PodAffinity;
}
