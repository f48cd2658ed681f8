// Video visit: WebRTC peer-to-peer media, signalling through the session's VisitRoom socket.
// The patient waits until the clinician admits them; on every `ready` both sides start a fresh
// RTCPeerConnection and the clinician offers (so a reconnect renegotiates cleanly). A dropped
// socket reconnects with a new single-use ticket, backing off 1 s, 2 s, 4 s … 10 s.
(() => {
  const root = document.getElementById("visit");
  if (!root) return;
  const sessionId = root.dataset.session;
  const $ = (id) => document.getElementById(id);
  const status = $("visit-status");
  const localVideo = $("local-video");
  const remoteVideo = $("remote-video");
  const admitBtn = $("admit");
  const micBtn = $("toggle-mic");
  const camBtn = $("toggle-cam");
  let ws = null;
  let pc = null;
  let stream = null;
  let role = null;
  let iceServers = [];
  let retry = 0;
  let leaving = false;
  let pending = [];
  let statsTimer = null;

  const say = (text) => {
    status.textContent = text;
  };
  const csrf = () => {
    const m = document.cookie.match(/(?:^|;\s*)haven_csrf=([^;]+)/);
    return m ? decodeURIComponent(m[1]) : "";
  };
  const send = (frame) => {
    if (ws && ws.readyState === WebSocket.OPEN) ws.send(JSON.stringify(frame));
  };

  async function startMedia() {
    try {
      stream = await navigator.mediaDevices.getUserMedia({ audio: true, video: true });
      localVideo.srcObject = stream;
    } catch (err) {
      stream = null;
      $("camera-denied").hidden = false;
      micBtn.disabled = true;
      camBtn.disabled = true;
      root.dataset.media = err?.name ? err.name : "error";
    }
  }

  async function connect() {
    say(retry > 0 ? "Reconnecting…" : "Connecting…");
    let res;
    try {
      res = await fetch(`/v1/therapy-sessions/${encodeURIComponent(sessionId)}/visit/tickets`, {
        method: "POST",
        credentials: "same-origin",
        headers: { "x-csrf-token": csrf() },
      });
    } catch {
      return reconnectLater();
    }
    if (!res.ok) {
      const problem = await res.json().catch(() => ({}));
      root.dataset.connection = "refused";
      say(problem.detail || "You cannot join this visit.");
      return;
    }
    const t = await res.json();
    role = t.role;
    iceServers = t.iceServers;
    root.dataset.role = role;
    const proto = location.protocol === "https:" ? "wss:" : "ws:";
    ws = new WebSocket(
      `${proto}//${location.host}/v1/therapy-sessions/${encodeURIComponent(sessionId)}/visit/ws?ticket=${t.ticket}`,
    );
    ws.onopen = () => {
      retry = 0;
    };
    ws.onmessage = (e) => {
      let frame;
      try {
        frame = JSON.parse(e.data);
      } catch {
        return;
      }
      onFrame(frame).catch(() => say("Something went wrong with the connection; retrying."));
    };
    ws.onclose = (e) => {
      if (leaving || e.code === 4001) return;
      reconnectLater();
    };
  }

  function reconnectLater() {
    const delay = Math.min(1000 * 2 ** retry, 10_000);
    retry += 1;
    say("Connection lost. Reconnecting…");
    setTimeout(connect, delay);
  }

  async function onFrame(f) {
    switch (f.type) {
      case "state":
        if (role === "clinician") say(f.peer ? "The patient is here." : "Waiting for the patient to join.");
        return;
      case "waiting":
        root.dataset.connection = "waiting";
        say("You are in the waiting room. Your clinician will let you in.");
        return;
      case "patient-waiting":
        admitBtn.hidden = false;
        admitBtn.focus();
        say("The patient is in the waiting room.");
        return;
      case "admitted":
        say("Your clinician let you in. Connecting video…");
        return;
      case "ready":
        admitBtn.hidden = true;
        return newPeer(f.offerer);
      case "signal":
        return onSignal(f.data);
      case "peer-media":
        $("peer-media").textContent =
          `The other person's microphone is ${f.audio ? "on" : "off"} and camera is ${f.video ? "on" : "off"}.`;
        return;
      case "peer-left":
        say("The other person left or lost their connection. Waiting for them to come back…");
        remoteVideo.srcObject = null;
        return;
      case "peer-recording":
        return onPeerRecording(f);
      case "error":
        if (f.code === "not_admitted") say("Waiting to be admitted.");
        return;
    }
  }

  // ---- consented recording: both agree each visit; the recorder's browser uploads 5-second chunks,
  // which the server seals with the patient's key before storing. Either side can stop.
  const recStatus = $("rec-status");
  const recStart = $("rec-start");
  const recStop = $("rec-stop");
  const consents = { mine: false, peer: false };
  let recorder = null;
  let recordingId = null;
  let chunkNo = 0;
  let uploads = Promise.resolve();
  // The running recording's content key (a non-extractable WebCrypto key, in memory only). Every
  // chunk is sealed with it before upload: 0x02 ‖ 12-byte IV ‖ AES-GCM ciphertext+tag, AAD
  // "haven-recording:<recordingId>:<n>" (workers/features/sessions/recording-keys.ts).
  let contentKey = null;
  const fromB64url = (s) =>
    Uint8Array.from(
      atob(s.replace(/-/g, "+").replace(/_/g, "/") + "=".repeat((4 - (s.length % 4)) % 4)),
      (c) => c.charCodeAt(0),
    );
  async function sealChunk(key, id, n, blob) {
    const iv = crypto.getRandomValues(new Uint8Array(12));
    const additionalData = new TextEncoder().encode(`haven-recording:${id}:${n}`);
    const ct = new Uint8Array(
      await crypto.subtle.encrypt({ name: "AES-GCM", iv, additionalData }, key, await blob.arrayBuffer()),
    );
    const out = new Uint8Array(13 + ct.length);
    out[0] = 2;
    out.set(iv, 1);
    out.set(ct, 13);
    return out;
  }
  const base = `/v1/therapy-sessions/${encodeURIComponent(sessionId)}/recordings`;
  const post = (path, body) =>
    fetch(path, {
      method: "POST",
      credentials: "same-origin",
      headers: { "content-type": "application/json", "x-csrf-token": csrf() },
      body: JSON.stringify(body || {}),
    });
  function recUi() {
    const active = Boolean(recordingId);
    recStart.disabled = active || !(consents.mine && consents.peer);
    recStop.hidden = !active;
    recStatus.textContent = active
      ? "Recording."
      : consents.mine && consents.peer
        ? "You both agreed. Either of you can start recording."
        : consents.peer
          ? "The other person agreed to record. Nothing is recorded unless you agree too."
          : consents.mine
            ? "You agreed. Waiting for the other person."
            : "";
  }
  $("rec-consent").addEventListener("change", async (e) => {
    const consent = e.target.checked;
    const res = await post(`${base}/consent`, { consent });
    if (!res.ok) return;
    const both = await res.json();
    consents.mine = role === "patient" ? both.patient : both.clinician;
    consents.peer = role === "patient" ? both.clinician : both.patient;
    send({ type: "recording", state: consent ? "consent" : "withdrawn" });
    recUi();
  });
  function onPeerRecording(f) {
    if (f.state === "consent") consents.peer = true;
    if (f.state === "withdrawn") consents.peer = false;
    if (f.state === "started") {
      recordingId = f.recordingId || "peer";
      consents.mine = consents.peer = false;
      $("rec-consent").checked = false;
    }
    if (f.state === "stopped") stopLocal();
    recUi();
  }
  function mixedStream() {
    const remote = remoteVideo.srcObject;
    const ctx = new AudioContext();
    const dest = ctx.createMediaStreamDestination();
    for (const s of [stream, remote])
      if (s?.getAudioTracks().length) ctx.createMediaStreamSource(s).connect(dest);
    const video = remote ? remote.getVideoTracks() : [];
    return new MediaStream([...video, ...dest.stream.getAudioTracks()]);
  }
  recStart.addEventListener("click", async () => {
    const mimeType = ["video/webm;codecs=vp8,opus", "video/webm"].find((m) =>
      MediaRecorder.isTypeSupported(m),
    );
    if (!mimeType) {
      recStatus.textContent = "This browser cannot record.";
      return;
    }
    const res = await post(base, { mimeType });
    const data = await res.json().catch(() => ({}));
    if (!res.ok) {
      recStatus.textContent = data.detail || "Recording could not start.";
      return;
    }
    recordingId = data.id;
    contentKey = await crypto.subtle.importKey("raw", fromB64url(data.contentKey), "AES-GCM", false, [
      "encrypt",
    ]);
    data.contentKey = undefined;
    chunkNo = 0;
    consents.mine = consents.peer = false;
    $("rec-consent").checked = false;
    recorder = new MediaRecorder(mixedStream(), { mimeType });
    const id = recordingId;
    const key = contentKey;
    recorder.ondataavailable = (ev) => {
      if (!ev.data.size) return;
      const n = chunkNo++;
      uploads = uploads.then(async () => {
        const body = await sealChunk(key, id, n, ev.data);
        const up = await fetch(`${base}/${id}/chunks/${n}`, {
          method: "PUT",
          credentials: "same-origin",
          headers: { "content-type": "application/octet-stream", "x-csrf-token": csrf() },
          body,
        }).catch(() => null);
        if (up && up.status === 409) stopLocal();
      });
    };
    recorder.start(5000);
    send({ type: "recording", state: "started", recordingId });
    recUi();
  });
  function stopLocal() {
    if (recorder && recorder.state !== "inactive") recorder.stop();
    recorder = null;
    recordingId = null;
    recUi();
    // Drop the key once the last chunk is sealed: it is not needed (nor handed out) after the stop.
    uploads = uploads.then(() => {
      if (!recordingId) contentKey = null;
    });
    recStatus.textContent = "Recording stopped.";
  }
  recStop.addEventListener("click", async () => {
    if (recordingId && recordingId !== "peer") {
      // Flush the last chunk before the server closes the recording.
      const id = recordingId;
      if (recorder && recorder.state !== "inactive") {
        const stopped = new Promise((r) => recorder.addEventListener("stop", r, { once: true }));
        recorder.stop();
        await stopped;
      }
      await uploads;
      await post(`${base}/${id}/stop`);
    } else if (recordingId === "peer") {
      const list = await fetch(base, { credentials: "same-origin" })
        .then((r) => r.json())
        .catch(() => ({}));
      const live = (list.recordings || []).find((r) => r.status === "recording");
      if (live) await post(`${base}/${live.id}/stop`);
    }
    send({ type: "recording", state: "stopped" });
    stopLocal();
  });

  async function newPeer(offerer) {
    if (pc) pc.close();
    pending = [];
    pc = new RTCPeerConnection({ iceServers });
    if (stream) for (const track of stream.getTracks()) pc.addTrack(track, stream);
    else {
      pc.addTransceiver("audio", { direction: "recvonly" });
      pc.addTransceiver("video", { direction: "recvonly" });
    }
    pc.ontrack = (e) => {
      remoteVideo.srcObject = e.streams[0] || new MediaStream([e.track]);
    };
    pc.onicecandidate = (e) =>
      send({ type: "signal", data: { candidate: e.candidate ? e.candidate.toJSON() : null } });
    const mine = pc;
    pc.onconnectionstatechange = () => {
      if (mine !== pc) return;
      root.dataset.connection = pc.connectionState;
      if (pc.connectionState === "connected") say("Connected.");
      if (pc.connectionState === "failed") say("The video connection failed. Reconnecting…");
    };
    watchFrames();
    sendMedia();
    if (offerer) {
      await pc.setLocalDescription(await pc.createOffer());
      send({
        type: "signal",
        data: { sdp: { type: pc.localDescription.type, sdp: pc.localDescription.sdp } },
      });
    }
  }

  async function onSignal(data) {
    if (!pc) return;
    if (data.sdp) {
      await pc.setRemoteDescription(data.sdp);
      if (data.sdp.type === "offer") {
        await pc.setLocalDescription(await pc.createAnswer());
        send({
          type: "signal",
          data: { sdp: { type: pc.localDescription.type, sdp: pc.localDescription.sdp } },
        });
      }
      for (const c of pending.splice(0)) await pc.addIceCandidate(c).catch(() => undefined);
    } else if (data.candidate) {
      if (pc.remoteDescription) await pc.addIceCandidate(data.candidate).catch(() => undefined);
      else pending.push(data.candidate);
    }
  }

  /** Frames decoded from the other side, for the page (and the browser test) to know video flows. */
  function watchFrames() {
    clearInterval(statsTimer);
    statsTimer = setInterval(async () => {
      if (!pc) return;
      const stats = await pc.getStats().catch(() => null);
      if (!stats) return;
      let frames = 0;
      stats.forEach((s) => {
        if (s.type === "inbound-rtp" && s.kind === "video") frames += s.framesDecoded || 0;
      });
      root.dataset.framesDecoded = String(frames);
    }, 1000);
  }

  function track(kind) {
    return stream ? stream.getTracks().find((t) => t.kind === kind) : null;
  }
  function sendMedia() {
    const a = track("audio");
    const v = track("video");
    send({ type: "media", audio: Boolean(a?.enabled), video: Boolean(v?.enabled) });
  }
  function toggle(btn, kind, label) {
    const t = track(kind);
    if (!t) return;
    t.enabled = !t.enabled;
    btn.setAttribute("aria-pressed", String(t.enabled));
    btn.textContent = `${label} ${t.enabled ? "on" : "off"}`;
    sendMedia();
  }
  micBtn.addEventListener("click", () => toggle(micBtn, "audio", "Microphone"));
  camBtn.addEventListener("click", () => toggle(camBtn, "video", "Camera"));
  admitBtn.addEventListener("click", () => {
    send({ type: "admit" });
    admitBtn.hidden = true;
    say("Admitted. Connecting video…");
  });
  $("leave").addEventListener("click", () => {
    leaving = true;
    send({ type: "leave" });
    if (ws) ws.close(1000, "left");
    if (pc) pc.close();
    if (stream) for (const t of stream.getTracks()) t.stop();
    clearInterval(statsTimer);
    root.dataset.connection = "left";
    say("You left the visit.");
  });

  startMedia().then(connect);
})();
