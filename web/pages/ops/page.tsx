import { Layout } from "../layout";

/**
 * The ops view of the admin console (`/admin/ops`): live traffic, error ratio and p50/p95 latency
 * per route, dependency health and circuit breakers, queue and dead-letter depth, safety figures,
 * recent Alertmanager alerts and a searchable log of warning/error events (ids and codes only).
 * `/assets/ops.js` polls `/v1/ops/overview` every 5 s and computes rates from two consecutive
 * polls; the API answers admins only (MFA required), so the page holds no data of its own.
 */
export function OpsPage() {
  return (
    <Layout title="Ops" scripts={["/assets/ops.js"]}>
      <h1>Operations</h1>
      <p id="ops-status" class="muted" role="status">
        Loading…
      </p>
      <p id="ops-error" class="error" role="alert" />
      <section aria-labelledby="traffic-h">
        <h2 id="traffic-h">Traffic (last poll interval)</h2>
        <p id="traffic-summary" />
        <section class="table-wrap" tabindex={0} aria-label="Busiest routes">
          <table id="routes">
            <caption class="muted">Busiest routes: requests per second, error ratio and latency</caption>
            <thead>
              <tr>
                <th scope="col">Route</th>
                <th scope="col">req/s</th>
                <th scope="col">5xx</th>
                <th scope="col">p50</th>
                <th scope="col">p95</th>
              </tr>
            </thead>
            <tbody />
          </table>
        </section>
      </section>
      <section aria-labelledby="deps-h">
        <h2 id="deps-h">Dependencies</h2>
        <ul id="deps" />
      </section>
      <section aria-labelledby="queues-h">
        <h2 id="queues-h">Queues and live figures</h2>
        <ul id="gauges" />
      </section>
      <section aria-labelledby="alerts-h">
        <h2 id="alerts-h">Recent alerts (Alertmanager)</h2>
        <p id="alerts-empty" class="muted" hidden>
          No alerts received.
        </p>
        <ol id="alerts" />
      </section>
      <section aria-labelledby="log-h">
        <h2 id="log-h">Warning and error log</h2>
        <form id="log-search" class="inline-form">
          <label for="request-id">Request id</label>
          <input id="request-id" name="requestId" autocomplete="off" pattern="[A-Za-z0-9._:\-]{8,128}" />
          <button type="submit">Search</button>
          <button type="reset" class="secondary">
            Clear
          </button>
        </form>
        <section class="table-wrap" tabindex={0} aria-label="Log events">
          <table id="events">
            <caption class="muted">Newest first; identifiers and codes only</caption>
            <thead>
              <tr>
                <th scope="col">Time</th>
                <th scope="col">Level</th>
                <th scope="col">Event</th>
                <th scope="col">Code</th>
                <th scope="col">Route</th>
                <th scope="col">Request id</th>
              </tr>
            </thead>
            <tbody />
          </table>
        </section>
      </section>
    </Layout>
  );
}
