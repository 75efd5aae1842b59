import type { DB } from '../store/db.js';
import type { Checkpoint } from './types.js';

const crashAtSave = Number(process.env.APIWATCH_TEST_CRASH_AT_SAVE ?? 0);
let saves = 0;

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

  constructor(private readonly db: DB) {
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
    // Torture test hook: die inside the batch's transaction (events written, not yet committed).
    if (crashAtSave > 0 && ++saves === crashAtSave) process.kill(process.pid, 'SIGKILL');
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
