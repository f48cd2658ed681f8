/**
 * A small RFC 5545 writer for session invitations and feeds: CRLF line ends, TEXT escaping
 * (backslash, semicolon, comma, newline), lines folded at 75 octets without splitting a UTF-8
 * character, and times in UTC (`…Z`, form 2 of RFC 5545 3.3.5) so no VTIMEZONE is needed; calendar
 * apps show them in the reader's own zone. Summaries carry no health detail beyond "Therapy session".
 */

export interface IcsEvent {
  uid: string;
  start: Date;
  end: Date;
  summary: string;
  description?: string;
  url?: string;
  /** CONFIRMED or CANCELLED (a cancelled booking stays in the feed so calendars remove it). */
  status: "CONFIRMED" | "CANCELLED";
  sequence: number;
  stamp: Date;
}

/** TEXT value escaping (RFC 5545 3.3.11). */
export function escapeText(value: string): string {
  return value
    .replace(/\\/g, "\\\\")
    .replace(/;/g, "\\;")
    .replace(/,/g, "\\,")
    .replace(/\r\n|\r|\n/g, "\\n");
}

/** UTC date-time, `YYYYMMDDTHHMMSSZ`. */
export function utc(d: Date): string {
  return d
    .toISOString()
    .replace(/\.\d{3}Z$/, "Z")
    .replace(/[-:]/g, "");
}

const encoder = new TextEncoder();

/** Folds one content line at 75 octets (RFC 5545 3.1), continuation lines starting with a space. */
export function fold(line: string): string {
  const parts: string[] = [];
  let current = "";
  let octets = 0;
  let limit = 75;
  for (const ch of line) {
    const size = encoder.encode(ch).length;
    if (octets + size > limit) {
      parts.push(current);
      current = " ";
      octets = 1;
      limit = 75;
    }
    current += ch;
    octets += size;
  }
  parts.push(current);
  return parts.join("\r\n");
}

/** A VCALENDAR with the given events, CRLF-terminated. */
export function calendar(name: string, events: readonly IcsEvent[]): string {
  const lines = [
    "BEGIN:VCALENDAR",
    "VERSION:2.0",
    "PRODID:-//Haven//Therapy sessions//EN",
    "CALSCALE:GREGORIAN",
    `METHOD:PUBLISH`,
    `X-WR-CALNAME:${escapeText(name)}`,
  ];
  for (const e of events) {
    lines.push(
      "BEGIN:VEVENT",
      `UID:${e.uid}`,
      `DTSTAMP:${utc(e.stamp)}`,
      `DTSTART:${utc(e.start)}`,
      `DTEND:${utc(e.end)}`,
      `SUMMARY:${escapeText(e.summary)}`,
      ...(e.description ? [`DESCRIPTION:${escapeText(e.description)}`] : []),
      ...(e.url ? [`URL:${e.url}`] : []),
      `STATUS:${e.status}`,
      `SEQUENCE:${e.sequence}`,
      "END:VEVENT",
    );
  }
  lines.push("END:VCALENDAR");
  return `${lines.map(fold).join("\r\n")}\r\n`;
}
