import { eq } from "drizzle-orm";
import { describe, expect, it } from "vitest";
import { CHAT_FIELD } from "../durable-objects/chat-flush";
import { chatMessages, chatSharing, users } from "../workers/db/schema";
import { historyQuery } from "../workers/lib/care-data/chat";
import { createDatabase } from "../workers/lib/db";
import { userCipher } from "../workers/lib/user-cipher";
import { addToCareTeam } from "./chat-helpers";
import { createUser, type TestUser, testConfig } from "./fixtures";
import { call } from "./helpers";

/**
 * Chat history is read one bounded page at a time (issue 16: the read fetched every stored row and
 * sliced in JavaScript, so its cost grew with the history). `next` is the cursor of the following
 * page; the care team's crisis-only view is filtered in SQL and pages the same way.
 */

interface Page {
  messages: Array<{ seq: number; text: string; crisis: boolean }>;
  sharing: string;
  next: number | null;
}

/** Stores `n` encrypted messages (seq 1..n, text `m<seq>`) as the room's flush would; `crisis` seqs flagged. */
async function storeHistory(patient: TestUser, n: number, crisis: number[]): Promise<void> {
  const config = testConfig();
  const db = createDatabase(config, patient.region);
  const [row] = await db
    .select({ wrapped: users.dataKeyWrapped })
    .from(users)
    .where(eq(users.id, patient.id));
  const cipher = await userCipher(config, patient.id, row?.wrapped ?? null);
  if (!cipher) throw new Error("the test patient has no data key");
  const at = Date.now() - n * 1000;
  const rows = await Promise.all(
    Array.from({ length: n }, async (_, i) => ({
      userId: patient.id,
      seq: i + 1,
      role: (i % 2 === 0 ? "user" : "assistant") as "user" | "assistant",
      authorId: i % 2 === 0 ? patient.id : null,
      contentEnc: await cipher.encrypt(CHAT_FIELD, `m${i + 1}`),
      crisis: crisis.includes(i + 1),
      createdAt: new Date(at + i * 1000),
    })),
  );
  await db.insert(chatMessages).values(rows);
}

async function page(path: string, user: TestUser): Promise<Page> {
  const res = await call(path, { headers: user.auth });
  expect(res.status).toBe(200);
  return (await res.json()) as Page;
}

const seqsOf = (p: Page) => p.messages.map((m) => m.seq);

describe("chat history pages", () => {
  it("the patient reads bounded pages with a next cursor until null", async () => {
    const patient = await createUser("patient");
    await storeHistory(patient, 30, [20]);
    const first = await page("/v1/chat/history?limit=10", patient);
    expect(seqsOf(first)).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9, 10]);
    expect(first.messages.map((m) => m.text).slice(0, 3)).toEqual(["m1", "m2", "m3"]);
    expect(first.next).toBe(10);
    const second = await page(`/v1/chat/history?limit=10&after=${first.next}`, patient);
    expect(seqsOf(second)).toEqual([11, 12, 13, 14, 15, 16, 17, 18, 19, 20]);
    expect(second.messages.find((m) => m.seq === 20)?.crisis).toBe(true);
    expect(second.next).toBe(20);
    // Exactly `limit` rows left: a full page, and it is the last.
    const last = await page(`/v1/chat/history?limit=10&after=${second.next}`, patient);
    expect(seqsOf(last)).toEqual([21, 22, 23, 24, 25, 26, 27, 28, 29, 30]);
    expect(last.next).toBeNull();
    // The default page (100) holds the whole short history, and says so.
    const all = await page("/v1/chat/history", patient);
    expect(seqsOf(all)).toHaveLength(30);
    expect(all.next).toBeNull();
  });

  it("the care team's crisis-only view is the same window, paged; full sharing shows every row", async () => {
    const patient = await createUser("patient");
    const clinician = await createUser("clinician");
    await addToCareTeam(patient, clinician);
    await storeHistory(patient, 40, [5, 30]);
    const path = `/v1/patients/${patient.id}/chat/history`;
    const whole = await page(path, clinician);
    expect(whole.sharing).toBe("crisis_only");
    expect(seqsOf(whole)).toEqual([2, 3, 4, 5, 6, 7, 8, 27, 28, 29, 30, 31, 32, 33]);
    expect(whole.next).toBeNull();
    // The filter applies before the LIMIT: pages of 4 walk the same rows.
    const walked: number[] = [];
    let after = 0;
    for (let i = 0; i < 10; i++) {
      const p = await page(`${path}?limit=4&after=${after}`, clinician);
      walked.push(...seqsOf(p));
      if (p.next === null) break;
      expect(p.messages).toHaveLength(4);
      after = p.next;
    }
    expect(walked).toEqual(seqsOf(whole));
    // The window is counted over the whole history, not from the cursor: a page starting right
    // after a crisis message still shows the turns that followed it (it lost them before).
    expect(seqsOf(await page(`${path}?after=6`, clinician))).toEqual([7, 8, 27, 28, 29, 30, 31, 32, 33]);
    await createDatabase(testConfig(), patient.region)
      .insert(chatSharing)
      .values({ userId: patient.id, full: true });
    const shared = await page(`${path}?limit=15`, clinician);
    expect(shared.sharing).toBe("full");
    expect(seqsOf(shared)).toEqual(Array.from({ length: 15 }, (_, i) => i + 1));
    expect(shared.next).toBe(15);
  });

  it("the statement itself is bounded (LIMIT in SQL), for both views", () => {
    const db = createDatabase(testConfig(), "us");
    const id = "00000000-0000-4000-8000-000000000000";
    for (const crisisOnly of [false, true]) {
      const q = historyQuery(db, id, { after: 0, limit: 100, crisisOnly }).toSQL();
      expect(q.sql).toMatch(/ limit \$\d+$/);
      expect(q.params.at(-1)).toBe(101);
    }
  });
});
