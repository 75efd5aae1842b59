import type { DB } from '../store/db.js';
import type { Checkpoint } from './types.js';

interface Row {
  path: string;
  dev: number;
  ino: number;
  offset: number;
  line: number;
  head_hash: string | null;
  tail_hash: string | null;
}

/** Persisted read positions, one per source path. Callers wrap saves in the batch's transaction. */
export class CheckpointStore {
  private readonly upsert;
  private readonly select;
  private readonly selectAll;
  private readonly remove;

  /** `afterSave` runs inside the caller's transaction, after each save (a torture test SIGKILLs there). */
  constructor(
    private readonly db: DB,
    private readonly afterSave?: () => void,
  ) {
    this.upsert = db.prepare(
      `INSERT INTO source_positions (path, dev, ino, offset, line, head_hash, tail_hash, updated_at)
       VALUES (@path, @dev, @ino, @offset, @line, @headHash, @tailHash, @updatedAt)
       ON CONFLICT(path) DO UPDATE SET dev=excluded.dev, ino=excluded.ino, offset=excluded.offset,
         line=excluded.line, head_hash=excluded.head_hash, tail_hash=excluded.tail_hash, updated_at=excluded.updated_at`,
    );
    this.select = db.prepare('SELECT * FROM source_positions WHERE path = ?');
    this.selectAll = db.prepare('SELECT * FROM source_positions ORDER BY path');
    this.remove = db.prepare('DELETE FROM source_positions WHERE path = ?');
  }

  save(cp: Checkpoint, now = Date.now()): void {
    this.upsert.run({ ...cp, updatedAt: now });
    this.afterSave?.();
  }

  get(path: string): Checkpoint | undefined {
    const r = this.select.get(path) as Row | undefined;
    return r && toCheckpoint(r);
  }

  all(): Checkpoint[] {
    return (this.selectAll.all() as Row[]).map(toCheckpoint);
  }

  delete(path: string): void {
    this.remove.run(path);
  }
}

function toCheckpoint(r: Row): Checkpoint {
  return {
    path: r.path,
    dev: r.dev,
    ino: r.ino,
    offset: r.offset,
    line: r.line,
    headHash: r.head_hash,
    tailHash: r.tail_hash,
  };
}
