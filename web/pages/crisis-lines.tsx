/** One crisis line as the pages show it: name, a `tel:` link, the SMS route, when it answers. */
export interface CrisisLine {
  name: string;
  phone?: string | undefined;
  text?: string | undefined;
  available: string;
}

/** Crisis lines as list items (`tel:` links dial as people dial locally, spaces removed). */
export function CrisisLineItems({ lines }: { lines: readonly CrisisLine[] }) {
  return (
    <>
      {lines.map((x) => (
        <li>
          <strong>{x.name}</strong>
          {x.phone ? (
            <>
              {" "}
              — <a href={`tel:${x.phone.replace(/\s+/g, "")}`}>{x.phone}</a>
            </>
          ) : null}
          {x.text ? <> — {x.text}</> : null} <span class="muted">({x.available})</span>
        </li>
      ))}
    </>
  );
}
