import { env, runInDurableObject } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import { riskSource } from "./chat-flush";
import { ChatStore, REPLAY_WINDOW } from "./chat-store";

describe("ChatRoom RPC", () => {
  it("binds to one owner and sequences pushed alerts", async () => {
    const owner = crypto.randomUUID();
    const room = env.CHAT_ROOM.get(env.CHAT_ROOM.idFromName(owner));
    const ref = { ownerId: owner, region: "us" };
    expect(await room.lastSeq()).toBe(0);
    const alert = {
      alertId: crypto.randomUUID(),
      patientId: crypto.randomUUID(),
      severity: "high",
      at: Date.now(),
    };
    expect(await room.pushAlert(ref, alert)).toEqual({ ok: true, seq: 1 });
    expect(await room.pushAlert(ref, { ...alert, alertId: crypto.randomUUID() })).toEqual({
      ok: true,
      seq: 2,
    });
    // The same alert pushed again (a retry whose answer was lost) is stored once.
    expect(await room.pushAlert(ref, alert)).toEqual({ ok: true, seq: 1 });
    expect(await room.lastSeq()).toBe(2);
    // The room is bound to its owner's region too: a push naming another region is refused.
    expect(await room.pushAlert({ ownerId: owner, region: "eu" }, alert)).toEqual({ ok: false });
    expect(await room.pushAlert({ ownerId: crypto.randomUUID(), region: "us" }, alert)).toEqual({
      ok: false,
    });
  });

  it("the owner's own session corrects a room bound to the wrong region", async () => {
    const owner = crypto.randomUUID();
    const room = env.CHAT_ROOM.get(env.CHAT_ROOM.idFromName(owner));
    const alert = {
      alertId: crypto.randomUUID(),
      patientId: crypto.randomUUID(),
      severity: "high",
      at: Date.now(),
    };
    expect(await room.pushAlert({ ownerId: owner, region: "us" }, alert)).toEqual({ ok: true, seq: 1 });
    const stream = (actor: string) =>
      room.fetch("https://chat-room/stream?after=0", {
        headers: {
          "x-haven-actor": JSON.stringify({ userId: actor, role: "clinician" }),
          "x-haven-room": JSON.stringify({ ownerId: owner, region: "eu" }),
        },
      });
    expect((await stream(crypto.randomUUID())).status).toBe(404); // someone else cannot rebind it
    expect((await stream(owner)).status).toBe(200);
    const next = { ...alert, alertId: crypto.randomUUID() };
    expect(await room.pushAlert({ ownerId: owner, region: "us" }, next)).toEqual({ ok: false });
    expect(await room.pushAlert({ ownerId: owner, region: "eu" }, next)).toEqual({ ok: true, seq: 2 });
  });

  it("rejects malformed input at the RPC edge", async () => {
    const owner = crypto.randomUUID();
    const room = env.CHAT_ROOM.get(env.CHAT_ROOM.idFromName(owner));
    expect(await room.pushAlert({ ownerId: owner, region: "mars" }, {})).toEqual({ ok: false });
    expect(await room.pushAlert({ ownerId: owner, region: "us" }, { severity: 1 })).toEqual({ ok: false });
    expect(await room.lastSeq()).toBe(0);
  });
});

describe("ChatStore", () => {
  it("prunes flushed events beyond the replay window, keeping today's and unflushed ones", async () => {
    const room = env.CHAT_ROOM.get(env.CHAT_ROOM.idFromName(crypto.randomUUID()));
    await runInDurableObject(room, async (_room, state) => {
      const store = new ChatStore(state.storage.sql, async () => null);
      for (let i = 0; i < REPLAY_WINDOW + 50; i++)
        await store.append({ type: "clinician_joined", clinicianId: crypto.randomUUID() });
      store.markFlushed(REPLAY_WINDOW + 40);
      const today = Date.now() - 60_000;
      expect(store.prune(today)).toBe(0); // everything is from today (the daily quota counts it)
      state.storage.sql.exec("update events set at = ?", today - 86_400_000);
      expect(store.prune(today)).toBe(50);
      const left = state.storage.sql
        .exec<{ n: number; min: number }>("select count(*) as n, min(seq) as min from events")
        .one();
      expect(left).toEqual({ n: REPLAY_WINDOW, min: 51 });
    });
  });
});

describe("risk rows", () => {
  it("attribute a crisis to the moderation layer only when its ids say so", () => {
    expect(riskSource(["l1:plan.means_ready", "l2:elevated"])).toBe("edge");
    expect(riskSource(["l3:high"])).toBe("edge");
    expect(riskSource(["moderation:self-harm"])).toBe("moderation");
  });
});
