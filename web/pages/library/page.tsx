import type { LibraryItem } from "../../../workers/lib/library/items";
import { Layout } from "../layout";

/** `/library`: every psychoeducation item with its one-line summary. */
export function LibraryPage({ items }: { items: readonly LibraryItem[] }) {
  return (
    <Layout title="Library">
      <h1>Haven's library</h1>
      <p>
        Short, practical skills from cognitive behavioural therapy and related approaches. The companion may
        suggest one of these when it fits what you say; each lists the evidence it is based on.
      </p>
      <ul class="library-list">
        {items.map((i) => (
          <li class="card">
            <h2>
              <a href={`/library/${i.slug}`}>{i.title}</a>
            </h2>
            <p>{i.summary}</p>
          </li>
        ))}
      </ul>
    </Layout>
  );
}

/** `/library/:slug`: one item, its sources and when it was last reviewed. */
export function LibraryItemPage({ item }: { item: LibraryItem }) {
  return (
    <Layout title={item.title}>
      <p>
        <a href="/library">← Library</a>
      </p>
      <article>
        <h1>{item.title}</h1>
        <p class="lead">{item.summary}</p>
        {item.body.map((p) => (
          <p>{p}</p>
        ))}
        <h2>Sources</h2>
        <ul>
          {item.sources.map((s) => (
            <li>{s}</li>
          ))}
        </ul>
        <p class="muted">
          Version {item.version} · reviewed {item.reviewedOn} ({item.reviewedBy}) · next review{" "}
          {item.nextReviewOn}
        </p>
        <p class="muted">
          This is general information, not a diagnosis or treatment plan. If you are in danger, call your
          local emergency number now.
        </p>
      </article>
    </Layout>
  );
}
