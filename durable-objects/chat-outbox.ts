import type { RecordedAlert } from "./chat-alerts";

/** Retry delay after `attempts` failures: 1 s, 2 s, 4 s … capped at one minute. */
export const backoffMs = (attempts: number) => Math.min(60_000, 1000 * 2 ** Math.max(0, attempts - 1));

export interface PendingRecord {
  about: number;
  severity: string;
  at: number;
}

export interface PendingPush {
  alertId: string;
  clinicianId: string;
  about: number;
  severity: string;
  at: number;
}

interface AuditRow extends Record<string, SqlStorageValue> {
  id: number;
  action: string;
  actor_id: string | null;
  actor_role: string | null;
  resource_id: string | null;
  at: number;
}

/**
 * What the room still owes the outside world, kept in its SQLite so an eviction or a database
 * outage loses nothing: care-team alerts to record in Postgres, live pushes to each clinician's
 * room (retried with backoff until delivered), and audit rows of reads served by the room.
 */
export class RoomOutbox {
  constructor(private readonly sql: SqlStorage) {
    sql.exec(`create table if not exists alert_records (
      about integer primary key,
      severity text not null,
      at integer not null,
      status text not null default 'pending',
      attempts integer not null default 0,
      next_at integer not null
    )`);
    sql.exec(`create table if not exists alert_pushes (
      alert_id text primary key,
      about integer not null,
      clinician_id text not null,
      attempts integer not null default 0,
      next_at integer not null,
      done integer not null default 0
    )`);
    sql.exec(`create table if not exists audit_outbox (
      id integer primary key autoincrement,
      action text not null,
      actor_id text,
      actor_role text,
      resource_id text,
      at integer not null
    )`);
  }

  /** A crisis whose alert must be recorded (idempotent per message). */
  addAlert(about: number, severity: string, now = Date.now()): void {
    this.sql.exec(
      "insert into alert_records (about, severity, at, next_at) values (?, ?, ?, ?) on conflict do nothing",
      about,
      severity,
      now,
      now,
    );
  }

  dueRecords(now = Date.now()): PendingRecord[] {
    return this.sql
      .exec<{ about: number; severity: string; at: number }>(
        "select about, severity, at from alert_records where status = 'pending' and next_at <= ? order by about",
        now,
      )
      .toArray();
  }

  /** The alert is in Postgres: one push per clinician is owed (none when there is no care team). */
  recorded(about: number, alerts: RecordedAlert[], now = Date.now()): void {
    for (const a of alerts)
      this.sql.exec(
        "insert into alert_pushes (alert_id, about, clinician_id, next_at) values (?, ?, ?, ?) on conflict do nothing",
        a.alertId,
        about,
        a.clinicianId,
        now,
      );
    this.sql.exec(
      "update alert_records set status = ? where about = ?",
      alerts.length ? "recorded" : "none",
      about,
    );
  }

  recordFailed(about: number, now = Date.now()): void {
    const { attempts } = this.sql
      .exec<{ attempts: number }>(
        "update alert_records set attempts = attempts + 1 where about = ? returning attempts",
        about,
      )
      .one();
    this.sql.exec("update alert_records set next_at = ? where about = ?", now + backoffMs(attempts), about);
  }

  duePushes(now = Date.now()): PendingPush[] {
    return this.sql
      .exec<{ alert_id: string; clinician_id: string; about: number; severity: string; at: number }>(
        `select p.alert_id, p.clinician_id, p.about, r.severity, r.at from alert_pushes p
          join alert_records r on r.about = p.about where p.done = 0 and p.next_at <= ? order by p.about`,
        now,
      )
      .toArray()
      .map((r) => ({
        alertId: r.alert_id,
        clinicianId: r.clinician_id,
        about: r.about,
        severity: r.severity,
        at: r.at,
      }));
  }

  pushed(alertId: string): void {
    this.sql.exec("update alert_pushes set done = 1 where alert_id = ?", alertId);
  }

  pushFailed(alertId: string, now = Date.now()): number {
    const { attempts } = this.sql
      .exec<{ attempts: number }>(
        "update alert_pushes set attempts = attempts + 1 where alert_id = ? returning attempts",
        alertId,
      )
      .one();
    this.sql.exec(
      "update alert_pushes set next_at = ? where alert_id = ?",
      now + backoffMs(attempts),
      alertId,
    );
    return attempts;
  }

  /** Forgets finished alert work older than `before` (the inbox rows in Postgres are the record). */
  prune(before: number): void {
    this.sql.exec(
      `delete from alert_pushes where done = 1 and about in
        (select about from alert_records where status <> 'pending' and at < ?)`,
      before,
    );
    this.sql.exec(
      `delete from alert_records where status <> 'pending' and at < ?
        and not exists (select 1 from alert_pushes p where p.about = alert_records.about)`,
      before,
    );
  }

  /** When the next alert step is due, or null when nothing is owed. */
  nextDue(): number | null {
    return this.sql
      .exec<{ t: number | null }>(
        `select min(t) as t from (
          select min(next_at) as t from alert_records where status = 'pending'
          union all select min(next_at) from alert_pushes where done = 0)`,
      )
      .one().t;
  }

  /** A read served by the room (a replay), to be written to the audit log with the next flush. */
  queueAudit(event: { action: string; actorId: string; actorRole: string; resourceId: string }): void {
    this.sql.exec(
      "insert into audit_outbox (action, actor_id, actor_role, resource_id, at) values (?, ?, ?, ?, ?)",
      event.action,
      event.actorId,
      event.actorRole,
      event.resourceId,
      Date.now(),
    );
  }

  audits(limit = 100): AuditRow[] {
    return this.sql.exec<AuditRow>("select * from audit_outbox order by id limit ?", limit).toArray();
  }

  clearAudits(throughId: number): void {
    this.sql.exec("delete from audit_outbox where id <= ?", throughId);
  }
}
