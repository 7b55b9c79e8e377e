type ConstraintKind = 'PRIMARYKEY' | 'UNIQUE' | 'FOREIGNKEY';

/** Whether `err` is SQLite's constraint error of that kind (`SQLITE_CONSTRAINT_<kind>`). */
export function isConstraint(err: unknown, kind: ConstraintKind): boolean {
  return err instanceof Error && (err as { code?: unknown }).code === `SQLITE_CONSTRAINT_${kind}`;
}
