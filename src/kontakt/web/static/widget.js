/*! kontakt chat widget — the City of Poznań. Vanilla JS, no dependencies, no build step.
 *
 * Embed with one tag:  <script src="https://host/static/widget.js" defer></script>
 * Optional attributes: data-lang="pl|uk|en" (used when <html lang> is not one of these).
 *
 * Everything that comes from residents or from the knowledge base is rendered inert
 * (textContent / createElement only; never innerHTML with data).
 */
(function () {
  "use strict";

  var script = document.currentScript;
  if (!script || !script.src || window.__kontaktWidget) return;
  window.__kontaktWidget = true;

  var SRC = script.src;
  var API = new URL("../api/v1/", SRC).href;
  var CSS = new URL("widget.css", SRC).href;
  var LANGS = ["pl", "uk", "en"];
  var LANG_NAMES = { pl: "Polski", uk: "Українська", en: "English" };
  var MAX = 2000;
  var STORE = "kontakt.widget.v1";

  var POLL_MS = 3000; // the pause before asking again after a failed poll
  var T = {
    title: "Chat with the City of Poznań",
    open: "Open the chat",
    close: "Close the chat",
    question: "Your question",
    placeholder: "Type your question\u2026",
    send: "Send",
    language: "Language",
    log: "Conversation",
    you: "You",
    assistant: "Assistant",
    helpful: "Was this helpful?",
    yes: "Yes",
    no: "No",
    thanks: "Thank you for your feedback.",
    source: "Source:",
    didYouMean: "Did you mean:",
    choose: "Choose:",
    consultant: "Consultant",
    calendar: "Add to calendar",
    writing: "The assistant is writing\u2026",
    failed: "The message could not be sent. Please try again.",
    tooMany: "Too many messages. Please wait a moment.",
    tooLong: "The message is too long (at most {max} characters).",
    hello: "Hello! Ask me about city matters in Polish, Ukrainian or English.",
    notice:
      "The assistant answers from the city's knowledge base. Do not type personal data such as " +
      "PESEL; to book a visit it asks only for your name and phone number.",
    human: "To talk to a consultant, call the city helpline: {phone}.",
    moreOptions: "More options",
  };

  // --- small helpers ------------------------------------------------------------------------

  function pickLang(value) {
    var code = String(value || "").toLowerCase().split("-")[0];
    return LANGS.indexOf(code) >= 0 ? code : null;
  }

  function load() {
    try {
      return JSON.parse(window.sessionStorage.getItem(STORE) || "{}") || {};
    } catch (e) {
      return {};
    }
  }

  function save(patch) {
    try {
      var data = load();
      for (var k in patch) if (Object.prototype.hasOwnProperty.call(patch, k)) data[k] = patch[k];
      window.sessionStorage.setItem(STORE, JSON.stringify(data));
    } catch (e) {
      /* storage disabled: the conversation simply does not survive a reload */
    }
  }

  function newId() {
    var c = window.crypto;
    if (c && typeof c.randomUUID === "function") return c.randomUUID();
    var bytes = new Uint8Array(16);
    if (c && c.getRandomValues) c.getRandomValues(bytes);
    else for (var i = 0; i < 16; i++) bytes[i] = Math.floor(Math.random() * 256);
    return Array.prototype.map
      .call(bytes, function (b) {
        return ("0" + b.toString(16)).slice(-2);
      })
      .join("");
  }

  function format(text, args) {
    return String(text).replace(/\{(\w+)\}/g, function (m, name) {
      return args && Object.prototype.hasOwnProperty.call(args, name) ? String(args[name]) : m;
    });
  }

  function el(tag, cls, text) {
    var node = document.createElement(tag);
    if (cls) node.className = cls;
    if (text !== undefined && text !== null) node.textContent = String(text);
    return node;
  }

  function svg(paths) {
    var ns = "http://www.w3.org/2000/svg";
    var s = document.createElementNS(ns, "svg");
    s.setAttribute("viewBox", "0 0 24 24");
    s.setAttribute("aria-hidden", "true");
    s.setAttribute("focusable", "false");
    paths.forEach(function (d) {
      var p = document.createElementNS(ns, "path");
      p.setAttribute("d", d);
      p.setAttribute("fill", "none");
      p.setAttribute("stroke", "currentColor");
      p.setAttribute("stroke-width", "2");
      p.setAttribute("stroke-linecap", "round");
      p.setAttribute("stroke-linejoin", "round");
      s.appendChild(p);
    });
    return s;
  }

  function safeHttps(url) {
    if (typeof url !== "string" || !/^https:\/\//i.test(url)) return null;
    try {
      var u = new URL(url);
      return u.protocol === "https:" ? u.href : null;
    } catch (e) {
      return null;
    }
  }

  function safeTel(value) {
    return typeof value === "string" && /^tel:\+?[0-9]{3,15}$/.test(value) ? value : null;
  }

  function ApiError(status, detail, retryAfter) {
    this.status = status;
    this.detail = detail;
    this.retryAfter = retryAfter;
  }

  function api(method, path, body) {
    var init = {
      method: method,
      headers: { Accept: "application/json" },
      credentials: "omit",
      cache: "no-store",
    };
    if (body !== undefined) {
      init.headers["Content-Type"] = "application/json";
      init.body = JSON.stringify(body);
    }
    return fetch(API + path, init).then(
      function (res) {
        if (res.status === 204) return null;
        var type = res.headers.get("Content-Type") || "";
        var parsed = type.indexOf("json") >= 0 ? res.json().catch(function () {
          return null;
        }) : Promise.resolve(null);
        return parsed.then(function (data) {
          if (!res.ok) {
            throw new ApiError(
              res.status,
              data && typeof data.detail === "string" ? data.detail : "",
              res.headers.get("Retry-After")
            );
          }
          return data;
        });
      },
      function () {
        throw new ApiError(0, "network");
      }
    );
  }

  // --- state -------------------------------------------------------------------------------

  var stored = load();
  var lang =
    (stored.id && pickLang(stored.lang)) ||
    pickLang(document.documentElement.getAttribute("lang")) ||
    pickLang(script.getAttribute("data-lang")) ||
    "pl";
  var catalogs = {};
  var conversation = null; // {id, greeting}
  var starting = null; // promise of the conversation being started or restored
  var busy = false;
  var retry = null; // {text, choice, clientId} of a message that failed, for a safe retry
  var seq = 0;

  function t(msgid, args) {
    var cat = catalogs[lang] || {};
    return format(cat[msgid] || msgid, args);
  }

  function loadCatalog(code) {
    if (catalogs[code]) return Promise.resolve(catalogs[code]);
    return api("GET", "i18n/widget/" + code).then(
      function (data) {
        catalogs[code] = data && typeof data === "object" ? data : {};
        return catalogs[code];
      },
      function () {
        return {}; // the msgids (English) are the fallback; not cached, so retried later
      }
    );
  }

  // --- DOM ---------------------------------------------------------------------------------

  var host = el("aside");
  host.id = "kontakt-widget";
  host.hidden = true; // until the stylesheet and the strings are there
  var root = host.attachShadow ? host.attachShadow({ mode: "open" }) : host;

  var link = el("link");
  link.rel = "stylesheet";
  link.href = CSS;
  root.appendChild(link);

  var box = el("div", "kw");
  root.appendChild(box);

  // Text nodes and labels that follow the UI language are marked and re-translated on switch.
  function i18nText(node, msgid, args, suffix) {
    node.setAttribute("data-kw-i18n", msgid);
    if (args) node.setAttribute("data-kw-args", JSON.stringify(args));
    if (suffix) node.setAttribute("data-kw-suffix", suffix);
    node.textContent = t(msgid, args) + (suffix || "");
    return node;
  }

  var attrBindings = []; // [node, attribute, msgid]

  function i18nAttr(node, attr, msgid) {
    attrBindings.push([node, attr, msgid]);
    node.setAttribute(attr, t(msgid));
    return node;
  }

  function translateAll() {
    box.setAttribute("lang", lang);
    host.setAttribute("aria-label", t(T.title));
    var nodes = box.querySelectorAll("[data-kw-i18n]");
    Array.prototype.forEach.call(nodes, function (node) {
      var args = node.getAttribute("data-kw-args");
      node.textContent =
        t(node.getAttribute("data-kw-i18n"), args ? JSON.parse(args) : null) +
        (node.getAttribute("data-kw-suffix") || "");
    });
    attrBindings = attrBindings.filter(function (b) {
      if (!box.contains(b[0])) return false;
      b[0].setAttribute(b[1], t(b[2]));
      return true;
    });
  }

  // Launcher
  var launcher = el("button", "kw-launcher");
  launcher.type = "button";
  launcher.setAttribute("aria-haspopup", "dialog");
  launcher.setAttribute("aria-expanded", "false");
  launcher.setAttribute("aria-controls", "kw-panel");
  launcher.appendChild(
    svg(["M21 12a8 8 0 0 1-11.6 7.1L4 20l1.1-4.6A8 8 0 1 1 21 12z", "M8.5 12h.01M12 12h.01M15.5 12h.01"])
  );
  launcher.appendChild(i18nText(el("span"), T.open));

  // Panel
  var panel = el("div", "kw-panel");
  panel.id = "kw-panel";
  panel.hidden = true;
  panel.setAttribute("role", "dialog");
  i18nAttr(panel, "aria-label", T.title);

  var head = el("div", "kw-head");
  var title = i18nText(el("h2", "kw-title"), T.title);
  var langWrap = el("div", "kw-lang");
  var langLabel = i18nText(el("label"), T.language);
  langLabel.htmlFor = "kw-lang-select";
  var select = el("select");
  select.id = "kw-lang-select";
  LANGS.forEach(function (code) {
    var opt = el("option", null, LANG_NAMES[code]);
    opt.value = code;
    opt.lang = code;
    select.appendChild(opt);
  });
  langWrap.appendChild(langLabel);
  langWrap.appendChild(select);
  var closeBtn = el("button", "kw-close");
  closeBtn.type = "button";
  i18nAttr(closeBtn, "aria-label", T.close);
  closeBtn.appendChild(svg(["M6 6l12 12M18 6L6 18"]));
  head.appendChild(title);
  head.appendChild(closeBtn);
  head.appendChild(langWrap);

  var notice = i18nText(el("p", "kw-notice"), T.notice);

  var log = el("div", "kw-log");
  log.setAttribute("role", "log");
  log.setAttribute("aria-live", "polite");
  log.setAttribute("aria-relevant", "additions");
  log.tabIndex = 0; // scrollable region: reachable by keyboard
  i18nAttr(log, "aria-label", T.log);

  var form = el("form", "kw-form");
  form.noValidate = true;
  var inputLabel = i18nText(el("label", "kw-sr-only"), T.question);
  inputLabel.htmlFor = "kw-input";
  var input = el("input", "kw-input");
  input.id = "kw-input";
  input.type = "text";
  input.name = "text";
  input.maxLength = MAX;
  input.autocomplete = "off";
  input.setAttribute("enterkeyhint", "send");
  i18nAttr(input, "placeholder", T.placeholder);
  var sendBtn = i18nText(el("button", "kw-send"), T.send);
  sendBtn.type = "submit";
  form.appendChild(inputLabel);
  form.appendChild(input);
  form.appendChild(sendBtn);

  panel.appendChild(head);
  panel.appendChild(notice);
  panel.appendChild(log);
  panel.appendChild(form);
  box.appendChild(panel);
  box.appendChild(launcher);

  // --- the log -----------------------------------------------------------------------------

  function scrollTo(node) {
    // Long answers: show their beginning; short ones: stick to the bottom.
    var top = node.offsetTop - log.offsetTop;
    if (node.offsetHeight > log.clientHeight) log.scrollTop = top;
    else log.scrollTop = log.scrollHeight;
  }

  function speaker(msgid) {
    return i18nText(el("span", "kw-sr-only"), msgid, null, ": ");
  }

  function addUser(text) {
    var msg = el("div", "kw-msg kw-user");
    var p = el("p", "kw-text");
    p.appendChild(speaker(T.you));
    p.appendChild(document.createTextNode(text));
    msg.appendChild(p);
    log.appendChild(msg);
    scrollTo(msg);
    return msg;
  }

  function addNotice(msgid, args, cls) {
    var msg = el("div", "kw-msg " + (cls || "kw-bot"));
    msg.appendChild(i18nText(el("p", "kw-text"), msgid, args));
    log.appendChild(msg);
    scrollTo(msg);
    return msg;
  }

  function addError(err) {
    var msgid = T.failed;
    var args = null;
    if (err && err.status === 429) msgid = T.tooMany;
    else if (err && err.status === 422 && /limit is|too long|2000/.test(err.detail || "")) {
      msgid = T.tooLong;
      args = { max: MAX };
    }
    return addNotice(msgid, args, "kw-error");
  }

  function button(label, cls, onClick) {
    var b = el("button", "kw-btn" + (cls ? " " + cls : ""), label);
    b.type = "button";
    b.addEventListener("click", onClick);
    return b;
  }

  function group(labelMsgid) {
    var g = el("div", "kw-group");
    g.setAttribute("role", "group");
    if (labelMsgid) {
      var id = "kw-g" + ++seq;
      var label = i18nText(el("span", "kw-group-label"), labelMsgid);
      label.id = id;
      g.setAttribute("aria-labelledby", id);
      g.appendChild(label);
    }
    return g;
  }

  function phoneOf(actions) {
    for (var i = 0; i < actions.length; i++) {
      var a = actions[i];
      if (a && a.kind === "call" && safeTel(a.value)) {
        var shown = /\+?\d[\d ]{4,}\d/.exec(String(a.label || ""));
        return { text: shown ? shown[0] : a.value.slice(4), href: a.value };
      }
    }
    return null;
  }

  // --- a consultant's messages: polled while a human has the conversation -----------------

  var polling = null;

  function addAgent(m) {
    var msg = el("div", "kw-msg kw-agent");
    var p = el("p", "kw-text");
    p.appendChild(speaker(T.consultant));
    var name = el("span", "kw-agent-name", String(m.name || ""));
    p.appendChild(name);
    p.appendChild(document.createTextNode(": " + String(m.text || "")));
    msg.appendChild(p);
    log.appendChild(msg);
    scrollTo(msg);
  }

  function stopPolling() {
    polling = null;
  }

  // Long polling: the server holds the request until a consultant writes (or 20 s pass).
  function poll(token) {
    if (polling !== token || !conversation) return;
    var after = Number(load().agentLast || 0);
    api("GET", "conversations/" + conversation.id + "/updates?wait=20&after=" + after).then(
      function (u) {
        if (polling !== token) return;
        var last = Number(load().agentLast || 0);
        ((u && u.messages) || []).forEach(function (m) {
          if (Number(m.id) > last) addAgent(m); // never show one twice
        });
        save({ agentLast: Math.max(last, Number((u && u.last) || 0)) });
        if (u && u.owner === "bot") stopPolling();
        else poll(token);
      },
      function (err) {
        if (err.status === 404) return stopPolling();
        window.setTimeout(function () { poll(token); }, POLL_MS);
      }
    );
  }

  function startPolling() {
    if (polling) return;
    polling = {};
    poll(polling);
  }

  function addBot(o, restored) {
    if (o.type === "transfer") startPolling();
    if (o.type === "transfer" && !o.text) return null; // a consultant has the conversation
    var msg = el("div", "kw-msg kw-bot");
    // Content is in the reply's language; the widget's own strings are in the UI language.
    var replyLang = pickLang(o.language);
    var inReplyLang = function (node) {
      if (replyLang) node.lang = replyLang;
      return node;
    };

    var p = el("p", "kw-text");
    p.appendChild(speaker(T.assistant));
    p.appendChild(inReplyLang(el("span", null, String(o.text || ""))));
    msg.appendChild(p);

    if (o.note) msg.appendChild(inReplyLang(el("p", "kw-note", o.note)));

    // A booked visit: its calendar file, served by the same kontakt as the API.
    var ics = typeof o.ics_url === "string" ? o.ics_url : "";
    if (o.type === "booked" && /^\/api\/v1\/bookings\/[0-9a-f]{32}\.ics$/.test(ics)) {
      var cal = i18nText(el("a", "kw-btn kw-calendar"), T.calendar);
      cal.href = new URL(ics.replace("/api/v1/", ""), API).href;
      cal.setAttribute("download", "");
      var calLine = el("p", "kw-source");
      calLine.appendChild(cal);
      msg.appendChild(calLine);
    }

    (o.citations || []).forEach(function (c) {
      if (!c || !c.title) return;
      var line = el("p", "kw-source");
      line.appendChild(i18nText(el("span"), T.source, null, " "));
      var href = safeHttps(c.url);
      if (href) {
        var a = inReplyLang(el("a", null, c.title));
        a.href = href;
        a.target = "_blank";
        a.rel = "noopener noreferrer";
        line.appendChild(a);
      } else {
        line.appendChild(inReplyLang(el("span", null, c.title)));
      }
      msg.appendChild(line);
    });

    var suggestions = (o.suggestions || []).filter(function (s) {
      return s && s.label && s.article_id;
    });
    if (suggestions.length) {
      // Options a flow offers (a service, an office, a time) are not "did you mean" guesses.
      var options = suggestions.every(function (s) { return s.kind === "option"; });
      var sg = group(options ? T.choose : T.didYouMean);
      suggestions.forEach(function (s) {
        sg.appendChild(
          inReplyLang(
            button(s.label, "kw-suggestion", function () {
              send(String(s.label), String(s.article_id));
            })
          )
        );
      });
      msg.appendChild(sg);
    }

    var actions = (o.actions || []).filter(function (a) {
      return a && a.label;
    });
    if (actions.length) {
      var ag = group(null);
      i18nAttr(ag, "aria-label", T.moreOptions);
      actions.forEach(function (a) {
        if (a.kind === "call") {
          var tel = safeTel(a.value);
          if (!tel) return;
          var call = inReplyLang(el("a", "kw-btn kw-call", a.label));
          call.href = tel;
          ag.appendChild(call);
        } else if (a.kind === "language") {
          var code = pickLang(a.value);
          if (!code) return;
          var lb = button(a.label, "kw-action-language", function () {
            setLanguage(code, true);
            input.focus();
          });
          lb.lang = code;
          ag.appendChild(lb);
        } else if (a.kind === "human") {
          var phone = phoneOf(actions);
          ag.appendChild(
            inReplyLang(button(a.label, "kw-action-human", function () {
              if (phone) {
                var m = addNotice(T.human, { phone: phone.text });
                var callLink = el("a", "kw-btn kw-call", phone.text);
                callLink.href = phone.href;
                m.appendChild(callLink);
              }
              input.focus();
            }))
          );
        } else if (a.kind === "choice") {
          ag.appendChild(
            inReplyLang(button(a.label, "kw-action-choice", function () {
              send(String(a.label), String(a.value));
            }))
          );
        } else if (a.kind === "rephrase") {
          ag.appendChild(
            inReplyLang(button(a.label, "kw-action-rephrase", function () {
              input.focus();
            }))
          );
        }
      });
      if (ag.childNodes.length) msg.appendChild(ag);
    }

    if (o.ask_feedback && o.article_id && !restored) {
      var fg = group(T.helpful);
      fg.classList.add("kw-feedback");
      var vote = function (helpful) {
        return function () {
          if (fg.getAttribute("data-sending")) return;
          fg.setAttribute("data-sending", "1");
          api("POST", "conversations/" + conversation.id + "/feedback", {
            article_id: String(o.article_id),
            helpful: helpful,
          }).then(
            function () {
              thank(fg);
            },
            function (err) {
              fg.removeAttribute("data-sending");
              if (err.status === 409) thank(fg);
              else addError(err);
            }
          );
        };
      };
      fg.appendChild(button("", "kw-yes", vote(true)));
      fg.appendChild(button("", "kw-no", vote(false)));
      i18nText(fg.querySelector(".kw-yes"), T.yes);
      i18nText(fg.querySelector(".kw-no"), T.no);
      msg.appendChild(fg);
    }

    log.appendChild(msg);
    scrollTo(msg);
    return msg;
  }

  function thank(fg) {
    var moveFocus = fg.contains(root.activeElement);
    var p = i18nText(el("p", "kw-thanks"), T.thanks);
    fg.parentNode.replaceChild(p, fg);
    if (moveFocus) input.focus();
  }

  // --- conversation ------------------------------------------------------------------------

  function setConversation(conv) {
    if (!conv || !conversation || conv.id !== conversation.id) {
      stopPolling();
      save({ agentLast: 0 });
    }
    conversation = conv;
    if (conv) host.setAttribute("data-conversation-id", conv.id);
    else host.removeAttribute("data-conversation-id");
    save({ id: conv ? conv.id : null, greeting: conv ? conv.greeting : null, lang: lang });
  }

  function addGreeting(text, greetingLang) {
    if (text) {
      addBot({ text: text, language: greetingLang || lang });
    } else {
      addNotice(T.hello);
    }
  }

  function startNew() {
    return api("POST", "conversations", {
      language: lang,
      page: String(window.location.href).slice(0, 300),
    }).then(function (data) {
      setConversation({ id: String(data.id), greeting: String(data.greeting || "") });
      addGreeting(conversation.greeting, data.language);
      return conversation;
    });
  }

  function restore(id) {
    return api("GET", "conversations/" + encodeURIComponent(id)).then(
      function (data) {
        if (!data || data.status !== "open") throw new ApiError(409, "closed");
        var greeting = load().greeting || "";
        setConversation({ id: String(data.id), greeting: greeting });
        addGreeting(greeting, data.language);
        (data.turns || []).forEach(function (turn) {
          if (turn.text) addUser(String(turn.text));
          if (turn.reply) addBot(turn.reply, true);
        });
        return conversation;
      },
      function (err) {
        if (err.status === 404) throw new ApiError(409, "gone");
        throw err;
      }
    );
  }

  // The conversation starts lazily (first open) and survives reloads via sessionStorage.
  function ensureConversation() {
    if (conversation) return Promise.resolve(conversation);
    if (starting) return starting;
    var id = load().id;
    var p = id
      ? restore(id).catch(function (err) {
          if (err.status !== 409) throw err;
          setConversation(null);
          return startNew();
        })
      : startNew();
    starting = p.then(
      function (conv) {
        starting = null;
        return conv;
      },
      function (err) {
        starting = null;
        throw err;
      }
    );
    return starting;
  }

  function postMessage(text, choice, clientId, again) {
    return ensureConversation().then(function (conv) {
      return api("POST", "conversations/" + conv.id + "/messages", {
        text: text,
        choice: choice || null,
        client_id: clientId,
      }).catch(function (err) {
        // The conversation expired or was closed: start a new one and send once more.
        if ((err.status === 404 || err.status === 409) && !again) {
          setConversation(null);
          return postMessage(text, choice, newId(), true);
        }
        throw err;
      });
    });
  }

  function send(text, choice) {
    if (busy) return;
    if (!text || !text.trim()) {
      input.focus();
      return;
    }
    if (text.length > MAX) {
      addError({ status: 422, detail: "too long" });
      return;
    }
    busy = true;
    var clientId =
      retry && retry.text === text && retry.choice === (choice || null) ? retry.clientId : newId();
    if (!choice) input.value = "";
    var bubble = addUser(text);
    var typing = addNotice(T.writing, null, "kw-status");
    postMessage(text, choice, clientId, false).then(
      function (outcome) {
        retry = null;
        typing.remove();
        addBot(outcome || {}, false);
        if (outcome && outcome.type === "end") setConversation(null);
        busy = false;
      },
      function (err) {
        typing.remove();
        bubble.remove();
        retry = { text: text, choice: choice || null, clientId: clientId };
        addError(err);
        if (!choice && !input.value) input.value = text; // the typed text is not lost
        busy = false;
      }
    );
  }

  // --- language ----------------------------------------------------------------------------

  function setLanguage(code, post) {
    code = pickLang(code);
    if (!code) return Promise.resolve();
    lang = code;
    select.value = code;
    save({ lang: code });
    var done = loadCatalog(code).then(function () {
      if (lang === code) translateAll();
    });
    if (post && conversation) {
      api("POST", "conversations/" + conversation.id + "/language", { language: code }).catch(
        function (err) {
          if (err.status === 404 || err.status === 409) setConversation(null);
        }
      );
    }
    return done;
  }

  // --- open / close ------------------------------------------------------------------------

  function open(focus) {
    panel.hidden = false;
    launcher.hidden = true;
    launcher.setAttribute("aria-expanded", "true");
    save({ open: true });
    if (focus) input.focus();
    ensureConversation().catch(function (err) {
      addError(err);
    });
  }

  function close() {
    panel.hidden = true;
    launcher.hidden = false;
    launcher.setAttribute("aria-expanded", "false");
    save({ open: false });
    launcher.focus();
  }

  launcher.addEventListener("click", function () {
    open(true);
  });
  closeBtn.addEventListener("click", close);
  panel.addEventListener("keydown", function (event) {
    if (event.key === "Escape" || event.key === "Esc") {
      event.preventDefault();
      close();
    }
  });
  form.addEventListener("submit", function (event) {
    event.preventDefault();
    send(input.value, null);
  });
  select.addEventListener("change", function () {
    setLanguage(select.value, true);
  });

  // --- boot --------------------------------------------------------------------------------

  select.value = lang;
  var cssReady = new Promise(function (resolve) {
    if (root === host) return resolve(); // no Shadow DOM: very old browser, unstyled but usable
    link.addEventListener("load", resolve);
    link.addEventListener("error", resolve);
  });

  function mount() {
    document.body.appendChild(host);
    Promise.all([cssReady, loadCatalog(lang)]).then(function () {
      translateAll();
      host.hidden = false;
      host.setAttribute("data-ready", "true");
      if (load().open && load().id) open(false);
    });
  }

  if (document.body) mount();
  else document.addEventListener("DOMContentLoaded", mount);
})();
