// dl-verify serve: the verification page. Plain ES2020, no build step, nothing external.
// Everything that came from a code or from the service is written with textContent only.
"use strict";
(() => {
  const $ = (id) => document.getElementById(id);
  const app = $("app");

  // Short verdict labels [English, Chinese]; the verdict word itself is never translated.
  const VERDICTS = {
    VALID: ["Valid", "有效"],
    MALFORMED: ["Not a readable licence code", "不是可读的驾驶证二维码"],
    UNKNOWN_SIGNER: ["Unknown signer: update the trust data", "签名者未知：请更新信任数据"],
    BAD_SIGNATURE: ["Forged or altered", "签名无效：伪造或被篡改"],
    UNTRUSTED_SIGNER: ["Signer not trusted", "签名者不受信任"],
    NOT_YET_VALID: ["Not valid yet", "尚未生效"],
    EXPIRED_CODE: ["Code expired", "二维码已过期"],
    LICENCE_EXPIRED: ["Licence expired", "驾驶证已过期"],
    REVOKED: ["Revoked", "已吊销"],
    SUSPENDED: ["Suspended", "已暂扣"],
    SUPERSEDED: ["Replaced by a newer code", "已被替换"],
    STATUS_UNKNOWN: ["Status unknown", "状态未知"],
    CATEGORY_NOT_HELD: ["Category not held", "不具备该准驾车型"],
    PORTRAIT_MISMATCH: ["Portrait does not match", "照片不符"],
    HOLDER_MISMATCH: ["Shown from another phone", "非持证人设备出示"],
    STALE_PRESENTATION: ["Presentation too old", "出示码已过时"],
    UNBOUND_PRESENTATION: ["Not shown from the holder's phone", "未由持证人手机出示"],
  };

  const TEXT = {
    en: {
      title: "Verify a driving licence", switchTo: "中文", switchLang: "zh",
      intro: "Scan the QR code with the camera, choose a photo of it, or paste its text.",
      resultH: "Result", codeOf: "Code {n} of {m}",
      tokenH: "API token", tokenLabel: "API token (kept only in this browser tab)", tokenSave: "Use token",
      optionsH: "Options: category, holder's phone",
      categoryLabel: "Category the holder must hold (optional, e.g. C1)", requireHolder: "Require the holder's phone (DL2)",
      cameraH: "Camera", cameraStart: "Scan with camera", cameraStop: "Stop camera",
      fileH: "Photo", fileLabel: "Choose a photo of the code (PNG or JPEG)",
      textH: "Code text", textLabel: "Text of the code (starts with DL1: or DL2:)", verifyText: "Verify text",
      verifying: "Verifying…", scanning: "Looking for a QR code: hold it steady in the frame…",
      waiting: "The service asked to wait: trying again in {s} s…",
      noCode: "No QR code was found in the photo. Try again with the whole code in view, flat and in focus.",
      unreadable: "The image could not be read. Use a PNG or JPEG photo.",
      rateLimited: "Too many requests. Try again in {s} s.", tooLarge: "The photo is too large for the service. Use a smaller one.",
      busy: "The service is busy. Try again in a moment.",
      unsupported: "Only PNG and JPEG photos can be checked.", timeout: "The photo took too long to arrive. Try again.",
      cameraPreview: "Camera preview",
      unauthorized: "This service needs an API token: enter it below.", tokenRefused: "The API token was refused: check it and enter it again.",
      network: "The service could not be reached. Check the connection and try again.",
      generic: "The service answered with an error ({s}).", noResults: "The service found no code.",
      emptyText: "Paste the text of a code first.", badCategory: "A category is 1 to 16 letters and digits, e.g. C1.",
      camNone: "The camera is not available here: browsers allow it only on pages served over https or from localhost.",
      camDenied: "Camera access was denied. Allow it in the browser's settings and try again (the camera also needs https or localhost).",
      camMissing: "No camera was found on this device.", camFailed: "The camera could not be started ({s}).",
      trust: "Status data {age} old · profile: {p}", trustNone: "No status data · profile: {p}", stale: " (stale)",
      units: ["s", "min", "h", "days"],
      name: "Name", birth: "Date of birth", number: "Licence number", issuedBy: "Issued by", issued: "Issued",
      expires: "Valid until", categories: "Categories", points: "Points", portrait: "Portrait (SHA-256)",
      caution: "Caution", cautionText: "The signer is not trusted: nothing below is confirmed.",
      presented: "Presented", deviceKey: "Device key", codeIssued: "Code issued", codeExpires: "Code valid until",
      credential: "Credential ID", codeIssuer: "Code issuer", signer: "Signer", status: "Status", statusList: "Status list",
      layer: "Layer", condition: "Condition", source: "Source", read: "Read", checked: "Checked at",
      priv: "{c} from {from}", privTo: " to {to}", privR: " ({r})",
      pointsV: "{r}/{m}", asOf: " as of {t}", cycle: "; cycle ends {d}",
      boundV: "by the holder's device at {t} ({age} ago, window {w} s)", unboundV: "by another device, claiming {t}",
      statusV: { VALID: "valid", INVALID: "revoked", SUSPENDED: "suspended", SUPERSEDED: "superseded" },
      noEntry: "no entry in the list", unknownStatus: "unknown: no current list", allowed: " (allowed)",
      listV: "{uri} #{idx}", listIssued: ", issued {t} ({age} old)", refetch: "; should have been refetched by {t}",
      src: { text: "pasted text", image: "photo", camera: "camera", nth: "photo, code {n}" }, readV: "{step}, {w}×{h} px",
    },
    zh: {
      title: "核验驾驶证", switchTo: "English", switchLang: "en",
      intro: "用摄像头扫描二维码、选择二维码的照片，或粘贴二维码的文本。",
      resultH: "核验结果", codeOf: "第 {n} 个码，共 {m} 个",
      tokenH: "API 令牌", tokenLabel: "API 令牌（仅保存在此浏览器标签页中）", tokenSave: "使用令牌",
      optionsH: "选项：准驾车型、持证人手机",
      categoryLabel: "持证人须具备的准驾车型（可选，例如 C1）", requireHolder: "要求持证人手机出示（DL2）",
      cameraH: "摄像头", cameraStart: "用摄像头扫描", cameraStop: "关闭摄像头",
      fileH: "照片", fileLabel: "选择二维码的照片（PNG 或 JPEG）",
      textH: "二维码文本", textLabel: "二维码的文本（以 DL1: 或 DL2: 开头）", verifyText: "核验文本",
      verifying: "正在核验…", scanning: "正在寻找二维码：请将二维码稳定置于画面中…",
      waiting: "服务要求稍候：{s} 秒后重试…",
      noCode: "照片中未找到二维码。请让整个二维码平整、清晰地位于画面中后重试。",
      unreadable: "无法读取该图像。请使用 PNG 或 JPEG 照片。",
      rateLimited: "请求过多。请在 {s} 秒后重试。", tooLarge: "照片过大，服务无法处理。请使用较小的照片。",
      busy: "服务繁忙。请稍后重试。",
      unsupported: "只能检查 PNG 或 JPEG 照片。", timeout: "照片上传超时。请重试。",
      cameraPreview: "摄像头画面",
      unauthorized: "此服务需要 API 令牌：请在下方输入。", tokenRefused: "API 令牌被拒绝：请检查后重新输入。",
      network: "无法连接服务。请检查网络连接后重试。",
      generic: "服务返回错误（{s}）。", noResults: "服务未找到二维码。",
      emptyText: "请先粘贴二维码的文本。", badCategory: "准驾车型为 1 至 16 个字母或数字，例如 C1。",
      camNone: "此处无法使用摄像头：浏览器仅允许通过 https 或 localhost 访问的页面使用摄像头。",
      camDenied: "摄像头权限被拒绝。请在浏览器设置中允许后重试（摄像头还需要 https 或 localhost）。",
      camMissing: "此设备上未找到摄像头。", camFailed: "无法启动摄像头（{s}）。",
      trust: "状态数据更新于 {age}前 · 配置：{p}", trustNone: "无状态数据 · 配置：{p}", stale: "（已过期）",
      units: ["秒", "分钟", "小时", "天"],
      name: "姓名", birth: "出生日期", number: "驾驶证号", issuedBy: "签发机关", issued: "签发日期",
      expires: "有效期至", categories: "准驾车型", points: "剩余分值", portrait: "照片（SHA-256）",
      caution: "注意", cautionText: "签名者不受信任：以下内容均未经确认。",
      presented: "出示", deviceKey: "设备密钥", codeIssued: "二维码签发时间", codeExpires: "二维码有效至",
      credential: "凭证编号", codeIssuer: "二维码签发者", signer: "签名者", status: "状态", statusList: "状态列表",
      layer: "层", condition: "条件", source: "来源", read: "读取", checked: "核验时间",
      priv: "{c} 自 {from}", privTo: " 至 {to}", privR: "（{r}）",
      pointsV: "剩余 {r} 分（满分 {m} 分）", asOf: "，截至 {t}", cycle: "；记分周期结束于 {d}",
      boundV: "由持证人绑定的设备于 {t} 出示（{age}前，时限 {w} 秒）", unboundV: "由另一设备出示，声称时间 {t}",
      statusV: { VALID: "有效", INVALID: "已吊销", SUSPENDED: "已暂扣", SUPERSEDED: "已被替换" },
      noEntry: "列表中无条目", unknownStatus: "未知：没有当前列表", allowed: "（已允许）",
      listV: "{uri} #{idx}", listIssued: "，签发于 {t}（{age}前）", refetch: "；应于 {t} 前重新获取",
      src: { text: "粘贴的文本", image: "照片", camera: "摄像头", nth: "照片，第 {n} 个码" }, readV: "{step}，{w}×{h} 像素",
    },
  };

  const TOKEN_KEY = "dl-verify-token";
  const store = {
    get(key) { try { return sessionStorage.getItem(key); } catch (e) { return null; } },
    set(key, value) { try { value == null ? sessionStorage.removeItem(key) : sessionStorage.setItem(key, value); } catch (e) { /* private mode */ } },
  };

  const params = new URLSearchParams(location.search);
  const browserLang = [...(navigator.languages || []), navigator.language || ""].find(Boolean) || "en";
  let lang = ["en", "zh"].includes(params.get("lang")) ? params.get("lang")
    : store.get("dl-verify-lang") || (browserLang.toLowerCase().startsWith("zh") ? "zh" : "en");
  let shown = null;        // the last answer shown: {data, source}
  let trustInfo = null;    // the last GET /v1/trust answer
  let retry = null;        // what to run again once a token is given
  let queue = Promise.resolve(); // one request in flight at a time
  let camera = null;       // {stream, abort, gen} while the camera runs
  let generation = 0;

  const t = () => TEXT[lang];
  const fill = (s, vars = {}) => s.replace(/\{(\w+)\}/g, (m, k) => (k in vars ? String(vars[k]) : m));
  const present = (v) => v !== undefined && v !== null;
  const has = (o, k) => o != null && present(o[k]);
  const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

  function age(seconds) {
    const u = t().units, s = Math.abs(seconds);
    const text = s < 120 ? `${s} ${u[0]}` : s < 7200 ? `${Math.floor(s / 60)} ${u[1]}`
      : s < 172800 ? `${Math.floor(s / 3600)} ${u[2]}` : `${Math.floor(s / 86400)} ${u[3]}`;
    return seconds < 0 ? "-" + text : text;
  }

  function setState(state) {
    app.dataset.state = state;
    $("result").setAttribute("aria-busy", String(state === "busy"));
  }
  function progress(text) { $("progress").textContent = text || ""; }
  function showMessage(text) {
    const m = $("message");
    m.textContent = text || "";
    m.hidden = !text;
  }
  // An error in words: a key of TEXT (shown again in the other language on a switch) or the service's own detail.
  let failure = null;
  function fail(key, vars = {}) {
    failure = [key, vars];
    hideResult();
    progress("");
    showMessage(key in TEXT.en ? fill(t()[key], vars) : key);
    setState("error");
  }
  function hideResult() {
    shown = null;
    $("result-body").hidden = true;
    $("more").replaceChildren();
    delete $("verdict").dataset.verdict;
    delete $("first").dataset.verdict;
  }
  function clearResult() {
    hideResult();
    failure = null;
    showMessage("");
  }

  // ---- Rendering ------------------------------------------------------------------------------

  function applyLanguage() {
    const tx = t();
    document.documentElement.lang = lang === "zh" ? "zh-Hans" : "en";
    document.title = tx.title;
    for (const el of document.querySelectorAll("[data-i18n]")) el.textContent = tx[el.dataset.i18n];
    $("camera").setAttribute("aria-label", tx.cameraPreview);
    const sw = $("lang-switch");
    sw.textContent = tx.switchTo;
    sw.lang = tx.switchLang === "zh" ? "zh-Hans" : "en";
    if (shown) render(shown.data, shown.source);
    if (failure && !$("message").hidden) showMessage(failure[0] in TEXT.en ? fill(tx[failure[0]], failure[1]) : failure[0]);
    renderTrust();
  }

  // The verdict word with a break opportunity after each "_" (the text stays e.g. "UNBOUND_PRESENTATION").
  function verdictWord(el, verdict) {
    const parts = [];
    verdict.split("_").forEach((part, i, all) => {
      parts.push(part + (i < all.length - 1 ? "_" : ""));
      if (i < all.length - 1) parts.push(document.createElement("wbr"));
    });
    el.replaceChildren(...parts);
    el.dataset.verdict = verdict;
    el.classList.toggle("long", Math.max(...verdict.split("_").map((w) => w.length)) > 8);
  }

  function fieldsOf(r, source) {
    const tx = t(), rows = [];
    const add = (label, values, cls) => {
      const list = (Array.isArray(values) ? values : [values]).filter((v) => v != null && v !== "");
      if (list.length) rows.push([label, list, cls]);
    };
    const l = r.licence;
    if (l && r.verdict === "UNTRUSTED_SIGNER") add(tx.caution, tx.cautionText, "caution");
    if (l) {
      add(tx.name, [l.family_name, l.given_name].filter(present).join(" "));
      if (has(l, "birth_date")) add(tx.birth, l.birth_date);
      if (has(l, "document_number")) add(tx.number, l.document_number, "mono");
      if (Array.isArray(l.driving_privileges)) {
        add(tx.categories, l.driving_privileges.map((p) => fill(tx.priv, { c: p.category, from: p.issue_date })
          + (has(p, "expiry_date") ? fill(tx.privTo, { to: p.expiry_date }) : "")
          + (has(p, "restrictions") ? fill(tx.privR, { r: p.restrictions }) : "")));
      }
      if (has(l, "expiry_date")) add(tx.expires, l.expiry_date);
      if (has(l, "issue_date")) add(tx.issued, l.issue_date);
      add(tx.issuedBy, [l.issuing_authority, l.issuing_country].filter(present).join(", "));
      const p = l.points;
      if (has(p, "remaining") && has(p, "maximum")) {
        add(tx.points, fill(tx.pointsV, { r: p.remaining, m: p.maximum })
          + (has(p, "as_of") ? fill(tx.asOf, { t: p.as_of }) : "") + (has(p, "cycle_end") ? fill(tx.cycle, { d: p.cycle_end }) : ""));
      }
      if (has(l, "portrait_sha256")) add(tx.portrait, l.portrait_sha256, "mono");
    }
    const pr = r.presentation;
    if (pr) {
      const vars = { t: pr.t, age: age(pr.age_seconds || 0), w: pr.window_seconds };
      add(tx.presented, fill(pr.signed_by_bound_device === false ? tx.unboundV : tx.boundV, vars));
      if (has(pr, "holder_key_thumbprint")) add(tx.deviceKey, pr.holder_key_thumbprint, "mono");
    }
    const c = r.code;
    if (c) {
      if (has(c, "iat")) add(tx.codeIssued, c.iat);
      if (has(c, "exp")) add(tx.codeExpires, c.exp);
      if (has(c, "iss")) add(tx.codeIssuer, c.iss);
      if (has(c, "cti")) add(tx.credential, c.cti, "mono");
    }
    const s = r.status;
    if (s) {
      const listed = has(s, "list_issued_at");
      add(tx.status, listed ? (tx.statusV[s.value] || (has(s, "value") ? s.value : tx.noEntry))
        : tx.unknownStatus + (s.unknown_allowed ? tx.allowed : ""));
      if (has(s, "uri")) {
        add(tx.statusList, fill(tx.listV, { uri: s.uri, idx: has(s, "idx") ? s.idx : "?" })
          + (listed ? fill(tx.listIssued, { t: s.list_issued_at, age: age(s.list_age_seconds || 0) }) : "")
          + (s.list_refetch_overdue && has(s, "list_refetch_at") ? fill(tx.refetch, { t: s.list_refetch_at }) : ""), "mono");
      }
    }
    if (r.signer) add(tx.signer, [r.signer.subject, has(r.signer, "kid") ? "kid " + r.signer.kid : null].filter(Boolean).join(", "));
    if (has(r, "layer")) add(tx.layer, r.layer);
    if (has(r, "condition")) add(tx.condition, r.condition);
    const m = /^image#(\d+)$/.exec(r.source || "");
    add(tx.source, source === "camera" && r.source !== "text" ? tx.src.camera + (m ? ` #${m[1]}` : "")
      : m ? fill(tx.src.nth, { n: m[1] }) : tx.src[r.source] || r.source);
    if (r.read) add(tx.read, fill(tx.readV, { step: r.read.step, w: r.read.width, h: r.read.height }));
    if (has(r, "verified_at")) add(tx.checked, r.verified_at);
    return rows;
  }

  function fillCard(card, r, reason, reasonLang, source) {
    const q = (cls) => card.querySelector("." + cls);
    card.dataset.verdict = r.verdict;
    verdictWord(q("verdict"), r.verdict);
    const label = q("verdict-label");
    label.textContent = (VERDICTS[r.verdict] || ["", ""])[lang === "zh" ? 1 : 0];
    label.hidden = !label.textContent;
    q("reason").textContent = reason;
    q("reason").lang = reasonLang === "zh" ? "zh-Hans" : "en";
    const dl = q("fields");
    dl.replaceChildren();
    for (const [label, values, cls] of fieldsOf(r, source)) {
      const dt = document.createElement("dt");
      dt.textContent = label;
      dl.append(dt);
      for (const v of values) {
        const dd = document.createElement("dd");
        dd.textContent = v;
        if (cls) dd.className = cls;
        dl.append(dd);
      }
    }
  }

  function render(data, source) {
    const results = data.results, n = results.length, tx = t();
    const reasonOf = (i) => (Array.isArray(data.reasons) && data.reasons[i] ? [data.reasons[i], data.language] : [results[i].reason, "en"]);
    const first = $("first-heading");
    first.hidden = n < 2;
    first.textContent = fill(tx.codeOf, { n: 1, m: n });
    fillCard($("first"), results[0], ...reasonOf(0), source);
    const more = [];
    for (let i = 1; i < n; i++) {
      const card = document.createElement("article");
      card.className = "card";
      for (const [tag, cls] of [["h3", "count"], ["p", "verdict"], ["p", "verdict-label"], ["p", "reason"], ["dl", "fields"]]) {
        const el = document.createElement(tag);
        el.className = cls;
        card.append(el);
      }
      card.firstChild.textContent = fill(tx.codeOf, { n: i + 1, m: n });
      fillCard(card, results[i], ...reasonOf(i), source);
      more.push(card);
    }
    $("more").replaceChildren(...more);
    $("result-body").hidden = false;
  }

  function renderTrust() {
    const el = $("trust"), d = trustInfo, tx = t();
    if (!d || typeof d.profile !== "string") { el.textContent = ""; return; }
    const stale = Array.isArray(d.status_lists) && d.status_lists.some((s) => s && s.stale);
    el.textContent = (typeof d.oldest_status_age_seconds === "number"
      ? fill(tx.trust, { age: age(d.oldest_status_age_seconds), p: d.profile }) : fill(tx.trustNone, { p: d.profile }))
      + (stale ? tx.stale : "");
  }

  // ---- Talking to the service -----------------------------------------------------------------

  function headers(extra) {
    const h = { Accept: "application/json, application/problem+json", ...extra };
    const token = store.get(TOKEN_KEY);
    if (token) h.Authorization = "Bearer " + token;
    return h;
  }

  // POST /v1/verify; resolves to {ok, data} or {ok: false, code, status, problem, retryAfter}.
  function post(body, type, query, signal) {
    const run = async () => {
      const url = "/v1/verify?" + new URLSearchParams({ lang, ...query });
      let res;
      try {
        res = await fetch(url, { method: "POST", body, headers: headers({ "Content-Type": type }), signal, credentials: "same-origin" });
      } catch (e) {
        return { ok: false, code: e && e.name === "AbortError" ? "aborted" : "network", status: 0 };
      }
      let data = null;
      try { data = await res.json(); } catch (e) { /* not JSON */ }
      if (res.ok && data && Array.isArray(data.results)) return { ok: true, data };
      const problem = data || {};
      const code = problem.code || String(problem.type || "").replace(/^urn:dl1:problem:/, "") || `http-${res.status}`;
      const retryAfter = Math.min(Math.max(parseInt(res.headers.get("Retry-After") || "1", 10) || 1, 1), 300);
      return { ok: false, code: res.ok ? "bad-answer" : code, status: res.status, problem, retryAfter };
    };
    const p = queue.then(run);
    queue = p.catch(() => {});
    return p;
  }

  function options() {
    const category = $("category").value.trim().toUpperCase();
    if (category && !/^[A-Z0-9]{1,16}$/.test(category)) return null;
    const o = {};
    if (category) o.category = category;
    if ($("require-holder").checked) o.require_holder_binding = true;
    return o;
  }

  const PROBLEMS = { "no-code": "noCode", "image-unreadable": "unreadable", "rate-limited": "rateLimited",
    "body-too-large": "tooLarge", busy: "busy", network: "network", "unsupported-media-type": "unsupported",
    "request-timeout": "timeout" };

  // Shows an answer that is not a verdict.
  function showProblem(r) {
    if (r.code === "unauthorized") {
      const refused = !!store.get(TOKEN_KEY);
      store.set(TOKEN_KEY, null);
      $("auth").hidden = false;
      fail(refused ? "tokenRefused" : "unauthorized");
      $("token").focus();
    } else if (PROBLEMS[r.code]) {
      fail(PROBLEMS[r.code], { s: r.retryAfter });
    } else {
      const p = r.problem || {};
      fail(typeof p.detail === "string" && p.detail ? p.detail : typeof p.title === "string" && p.title ? p.title : "generic",
        { s: r.status || r.code });
    }
  }

  function showAnswer(r, source) {
    progress("");
    if (!r.ok) return showProblem(r);
    if (!r.data.results.length) return fail("noResults");
    shown = { data: r.data, source };
    showMessage("");
    render(r.data, source);
    setState("done");
    $("result").scrollIntoView({ block: "start" });
  }

  async function verifyOnce(source, body, type, query) {
    stopCamera(false);
    clearResult();
    setState("busy");
    progress(t().verifying);
    const r = await post(body, type, query);
    if (!r.ok && r.code === "unauthorized") retry = () => verifyOnce(source, body, type, query);
    showAnswer(r, source);
  }

  function verifyFile(file) {
    const o = options();
    if (!o) return fail("badCategory");
    const name = (file.name || "").toLowerCase();
    const type = file.type || (/\.jpe?g$/.test(name) ? "image/jpeg" : /\.png$/.test(name) ? "image/png" : "application/octet-stream");
    return verifyOnce("image", file, type, o);
  }

  function verifyText() {
    const text = $("text").value.trim(), o = options();
    if (!text) return fail("emptyText");
    if (!o) return fail("badCategory");
    return verifyOnce("text", JSON.stringify({ text, ...o }), "application/json", {});
  }

  // ---- Camera: every frame is sent, one at a time, until the service finds a code --------------

  function stopCamera(idle) {
    if (!camera) return;
    const hadFocus = document.activeElement === $("camera-stop");
    generation++;
    camera.abort.abort();
    for (const track of camera.stream.getTracks()) track.stop();
    camera = null;
    const video = $("camera");
    video.pause();
    video.srcObject = null;
    video.hidden = true;
    $("camera-stop").hidden = true;
    $("camera-start").hidden = false;
    if (hadFocus) $("camera-start").focus({ preventScroll: true });
    if (idle) { progress(""); setState("idle"); }
  }

  async function startCamera() {
    stopCamera(false);
    clearResult();
    const o = options();
    if (!o) return fail("badCategory");
    if (!navigator.mediaDevices || !navigator.mediaDevices.getUserMedia) return fail("camNone");
    setState("busy");
    let stream;
    try {
      stream = await navigator.mediaDevices.getUserMedia({ video: { facingMode: "environment" }, audio: false });
    } catch (e) {
      const name = e && e.name;
      return fail(name === "NotAllowedError" || name === "SecurityError" ? "camDenied"
        : name === "NotFoundError" || name === "OverconstrainedError" ? "camMissing" : "camFailed", { s: name || String(e) });
    }
    const gen = ++generation;
    camera = { stream, abort: new AbortController(), gen };
    const video = $("camera");
    video.srcObject = stream;
    video.hidden = false;
    $("camera-start").hidden = true;
    $("camera-stop").hidden = false;
    $("camera-stop").focus();
    try { await video.play(); } catch (e) { /* plays once data arrives */ }
    progress(t().scanning);
    scan(gen, o);
  }

  function frame(video, canvas) {
    const scale = Math.min(1, 1280 / Math.max(video.videoWidth, video.videoHeight));
    canvas.width = Math.round(video.videoWidth * scale);
    canvas.height = Math.round(video.videoHeight * scale);
    canvas.getContext("2d").drawImage(video, 0, 0, canvas.width, canvas.height);
    return new Promise((resolve) => canvas.toBlob(resolve, "image/jpeg", 0.9));
  }

  async function scan(gen, query) {
    const video = $("camera"), canvas = document.createElement("canvas");
    while (camera && camera.gen === gen) {
      if (video.readyState < 2 || !video.videoWidth) { await sleep(100); continue; }
      const blob = await frame(video, canvas);
      const cam = camera;  // Stop (or a hidden tab) may have ended the scan meanwhile
      if (!cam || cam.gen !== gen) return;
      if (!blob) { await sleep(150); continue; }
      const r = await post(blob, "image/jpeg", query, cam.abort.signal);
      if (!camera || camera.gen !== gen) return;
      if (r.ok && r.data.results.length) { stopCamera(false); return showAnswer(r, "camera"); }
      if (r.ok || r.code === "no-code" || r.code === "image-unreadable") { await sleep(150); continue; }
      if (r.code === "rate-limited" || r.code === "busy") {
        progress(fill(t().waiting, { s: r.retryAfter }));
        await sleep(r.retryAfter * 1000);
        if (camera && camera.gen === gen) progress(t().scanning);
        continue;
      }
      stopCamera(false);
      if (r.code === "unauthorized") retry = startCamera;
      return showAnswer(r, "camera");
    }
  }

  // ---- Trust footer (optional: fails silently) --------------------------------------------------

  async function loadTrust() {
    try {
      const res = await fetch("/v1/trust", { headers: headers(), credentials: "same-origin" });
      if (res.ok) { trustInfo = await res.json(); renderTrust(); }
    } catch (e) { /* no footer */ }
  }

  // ---- Wiring ----------------------------------------------------------------------------------

  $("lang-switch").addEventListener("click", () => {
    lang = lang === "zh" ? "en" : "zh";
    store.set("dl-verify-lang", lang);
    applyLanguage();
  });
  $("camera-start").addEventListener("click", startCamera);
  $("camera-stop").addEventListener("click", () => stopCamera(true));
  // A phone switching to another app: release the camera rather than send frozen frames.
  document.addEventListener("visibilitychange", () => { if (document.hidden) stopCamera(true); });
  $("file").addEventListener("change", (e) => {
    const file = e.target.files && e.target.files[0];
    if (file) verifyFile(file);
    e.target.value = ""; // the same file can be chosen again
  });
  $("text-form").addEventListener("submit", (e) => { e.preventDefault(); verifyText(); });
  $("text").addEventListener("keydown", (e) => {
    if (e.key === "Enter" && (e.ctrlKey || e.metaKey)) { e.preventDefault(); verifyText(); }
  });
  $("token-form").addEventListener("submit", (e) => {
    e.preventDefault();
    const token = $("token").value.trim();
    if (!token) return;
    store.set(TOKEN_KEY, token);
    $("token").value = "";
    $("auth").hidden = true;
    showMessage("");
    loadTrust();
    const again = retry;
    retry = null;
    if (again) again(); else setState("idle");
  });

  applyLanguage();
  loadTrust();
})();
