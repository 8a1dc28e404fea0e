/** How the CLI shows one kind: its nouns, table columns and describe document. */
import type { ForkliftKind, ResourceType } from '../../api/index.js';
import type { KubeObject } from '../../api/index.js';
import type { Session } from '../context.js';
import type { Document } from '../output/document.js';
import type { Column } from '../output/print.js';

/** The CLI view of a kind. */
export interface ResourceView {
  kind: ForkliftKind;
  type: ResourceType;
  /** Noun used in messages, e.g. `provider`, `networkmap`. */
  noun: string;
  columns: readonly Column[];
  /** Builds the describe document; may read related objects (e.g. the credentials Secret). */
  describe(obj: KubeObject, session: Session): Promise<Document>;
  /**
   * For kinds whose description shows progress (plans): reads what the description needs once,
   * then returns a pure builder that draws progress as bars (a terminal) or plain numbers.
   * `part.vm` describes one VM (`describe plan NAME --vm VM`).
   * @throws UsageError when `part` names something the object does not have
   */
  describeProgress?(
    obj: KubeObject,
    session: Session,
    part: { vm?: string | undefined },
  ): Promise<(bars: boolean) => Document>;
  /** Its table shows progress: in a terminal, `get -w` redraws the table in place. */
  progress?: boolean;
  /** Runs before `delete` removes an object (plans archive first). */
  beforeDelete?: (session: Session, name: string) => Promise<void>;
}
