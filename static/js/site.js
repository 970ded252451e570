// Progressive enhancements. Every page works without this file: it only
// saves drafts as you type, quotes a selection, copies a post's link, lists
// similar topics while you type a title, and announces new replies.

// One event stream a page: browsers allow few connections per site, so the
// first part of the page that wants one opens it and the others listen to
// it (a member's stream also says their unread count). Leaving the page
// closes it at once (an editor stops being listed as editing).
function liveStream(url) {
  "use strict";
  if (!liveStream.source) {
    liveStream.source = new EventSource(url);
    window.addEventListener("pagehide", function () { liveStream.source.close(); });
  }
  return liveStream.source;
}

(function () {
  "use strict";

  var csrf = function (form) {
    var input = form.querySelector('input[name="_csrf"]');
    return input ? input.value : "";
  };

  // Focus the error summary of a refused form, so screen readers hear it.
  var summary = document.querySelector(".error-summary");
  if (summary) summary.focus();

  // Drafts: saved on the server every few seconds while the text changes.
  document.querySelectorAll("form[data-draft]").forEach(function (form) {
    var status = form.querySelector(".draft-status");
    var last = new URLSearchParams(new FormData(form)).toString();
    setInterval(function () {
      var data = new FormData(form);
      var now = new URLSearchParams(data).toString();
      if (now === last) return;
      data.set("place", form.dataset.draft);
      data.delete("action");
      fetch("/brouillons", { method: "POST", body: new URLSearchParams(data), headers: { "X-CSRF-Token": csrf(form) }, credentials: "same-origin" })
        .then(function (res) {
          if (!res.ok) throw new Error(res.status);
          last = now;
          if (status) status.textContent = "Brouillon enregistré à " + new Date().toLocaleTimeString("fr-FR", { hour: "2-digit", minute: "2-digit" }) + ".";
        })
        .catch(function () {
          if (status) status.textContent = "Brouillon non enregistré (connexion ?) : votre texte reste dans la page.";
        });
    }, 5000);
  });

  // Quote only the selected part of a post, when there is a selection.
  document.querySelectorAll("a[data-quote]").forEach(function (link) {
    link.addEventListener("click", function (event) {
      var post = link.closest(".post");
      var box = document.querySelector('.reply textarea[name="body"]');
      var sel = window.getSelection();
      if (!post || !box || !sel || sel.isCollapsed) return;
      var body = post.querySelector(".post-body");
      if (!body || !body.contains(sel.anchorNode) || !body.contains(sel.focusNode)) return;
      event.preventDefault();
      var author = post.querySelector(".post-author a").textContent.trim();
      var number = link.dataset.quote;
      var quote = "> **@" + author + "** [a écrit](" + location.pathname + "?post=" + number + "#post-" + number + ") :\n" +
        sel.toString().trim().split("\n").map(function (l) { return l ? "> " + l : ">"; }).join("\n") + "\n\n";
      box.value = (box.value ? box.value.replace(/\s*$/, "\n\n") : "") + quote;
      var form = box.form;
      var replyTo = form.querySelector('input[name="reply_to"]');
      if (!replyTo) {
        replyTo = document.createElement("input");
        replyTo.type = "hidden";
        replyTo.name = "reply_to";
        form.appendChild(replyTo);
      }
      replyTo.value = number;
      box.focus();
      box.setSelectionRange(box.value.length, box.value.length);
      box.dispatchEvent(new Event("input", { bubbles: true })); // the live preview follows, as when typing
    });
  });

  // « Lien » copies the post's permalink, as an absolute address, and says
  // so; when the clipboard refuses, the link leads to the post as without
  // this script (a new tab or a right click too).
  document.querySelectorAll("a[data-share]").forEach(function (link) {
    var said = document.createElement("span"), timer;
    said.className = "share-status";
    said.setAttribute("role", "status");
    link.parentNode.insertBefore(said, link.nextSibling);
    var copied = function () {
      said.textContent = "Lien copié";
      clearTimeout(timer);
      timer = setTimeout(function () { said.textContent = ""; }, 5000);
    };
    // Without the clipboard API (or its permission): copy a selected field.
    var bySelection = function (url) {
      var field = document.createElement("input");
      field.value = url;
      field.readOnly = true;
      field.className = "visually-hidden";
      link.parentNode.appendChild(field);
      field.select();
      var done = false;
      try { done = document.execCommand("copy"); } catch (e) { done = false; }
      field.remove();
      link.focus();
      if (done) copied(); else location.href = url;
    };
    link.addEventListener("click", function (event) {
      if (event.button || event.ctrlKey || event.metaKey || event.shiftKey || event.altKey) return;
      event.preventDefault();
      var url = link.href;
      if (navigator.clipboard && window.isSecureContext) {
        navigator.clipboard.writeText(url).then(copied, function () { bySelection(url); });
      } else {
        bySelection(url);
      }
    });
  });

  // Similar topics while typing a title.
  var title = document.querySelector('form[data-draft="topic"] input[name="title"]');
  var similar = document.getElementById("similaires");
  if (title && similar) {
    var timer;
    title.addEventListener("input", function () {
      clearTimeout(timer);
      timer = setTimeout(function () {
        if (title.value.trim().length < 8) return;
        fetch("/discussions/similaires?titre=" + encodeURIComponent(title.value), { credentials: "same-origin" })
          .then(function (res) { return res.ok ? res.json() : []; })
          .then(function (topics) {
            similar.textContent = "";
            if (!topics.length) return;
            var p = document.createElement("p");
            p.textContent = "Ces discussions ressemblent à la vôtre ; la réponse y est peut-être déjà :";
            var ul = document.createElement("ul");
            topics.forEach(function (t) {
              var li = document.createElement("li");
              var a = document.createElement("a");
              a.href = t.path;
              a.textContent = (t.fiche ? "Fiche : " : "") + t.title + (t.resolved ? " (résolue)" : "");
              li.appendChild(a);
              ul.appendChild(li);
            });
            similar.appendChild(p);
            similar.appendChild(ul);
          })
          .catch(function () {});
      }, 400);
    });
  }

  // New replies, announced without touching what is being typed.
  var topic = document.querySelector("article.topic[data-topic]");
  var notice = document.querySelector(".live-notice");
  if (topic && notice && window.EventSource) {
    var known = parseInt(topic.dataset.last, 10);
    var source = liveStream("/discussions/" + topic.dataset.topic + "/evenements");
    source.addEventListener("posts", function (event) {
      var latest = parseInt(event.data, 10);
      if (!(latest > known)) return;
      var n = latest - known;
      var link = notice.querySelector("a");
      link.textContent = n + (n > 1 ? " nouvelles réponses" : " nouvelle réponse") + " — afficher";
      link.href = location.pathname + "?post=" + (known + 1);
      notice.hidden = false;
      notice.setAttribute("role", "status");
    });
  }
})();

// Composers: a markdown toolbar, a live preview, @mention and tag
// completion, and images pasted or dropped into the text. Without this,
// « Aperçu » and « Joindre le fichier » do the same through the form.
(function () {
  "use strict";

  var make = function (tag, cls, text) {
    var el = document.createElement(tag);
    if (cls) el.className = cls;
    if (text) el.textContent = text;
    return el;
  };
  // The French message of a refused fetch, from its JSON error if any.
  var refusal = function (res, text, fallback) {
    try { return JSON.parse(text).error.message || fallback; } catch (e) { return fallback; }
  };

  // replace puts text in place of start..end as typing would (the browser's
  // undo keeps working), then selects from..to (offsets in text).
  var replace = function (box, start, end, text, from, to) {
    box.focus();
    box.setSelectionRange(start, end);
    if (!document.execCommand || !document.execCommand("insertText", false, text)) {
      box.setRangeText(text, start, end, "end");
      box.dispatchEvent(new Event("input", { bubbles: true }));
    }
    if (from !== undefined) box.setSelectionRange(start + from, start + to);
  };

  // Toolbar actions: each changes the selection of the box.
  var wrap = function (mark, sample) {
    return function (box) {
      var s = box.selectionStart, e = box.selectionEnd, v = box.value, n = mark.length;
      if (s >= n && v.slice(s - n, s) === mark && v.slice(e, e + n) === mark) {
        return replace(box, s - n, e + n, v.slice(s, e), 0, e - s); // unwrap
      }
      var inner = v.slice(s, e) || sample;
      replace(box, s, e, mark + inner + mark, n, n + inner.length);
    };
  };
  var prefixLines = function (prefix) {
    return function (box) {
      var v = box.value, s = v.lastIndexOf("\n", box.selectionStart - 1) + 1, e = box.selectionEnd;
      var text = v.slice(s, e).split("\n").map(function (l) { return prefix + l; }).join("\n");
      replace(box, s, e, text, text.length, text.length);
    };
  };
  var actions = [
    { label: "Gras", cls: "md-bold", key: "b", run: wrap("**", "texte en gras") },
    { label: "Italique", cls: "md-italic", key: "i", run: wrap("*", "texte en italique") },
    { label: "Lien", run: function (box) {
      var s = box.selectionStart, e = box.selectionEnd, text = box.value.slice(s, e) || "texte du lien";
      replace(box, s, e, "[" + text + "](https://)", text.length + 3, text.length + 11);
    } },
    { label: "Citation", run: prefixLines("> ") },
    { label: "Liste", name: "Liste à puces", run: prefixLines("- ") },
    { label: "Code", cls: "md-code", run: function (box) {
      var s = box.selectionStart, e = box.selectionEnd, sel = box.value.slice(s, e).replace(/\n$/, "");
      if (sel.indexOf("\n") < 0) return wrap("`", "code")(box);
      var open = (s > 0 && box.value.charAt(s - 1) !== "\n" ? "\n" : "") + "```\n";
      replace(box, s, e, open + sel + "\n```\n", open.length, open.length + sel.length);
    } }
  ];

  // A toolbar is one tab stop; arrow keys move between its buttons.
  var toolbar = function (box) {
    var bar = make("div", "md-toolbar");
    bar.setAttribute("role", "toolbar");
    bar.setAttribute("aria-label", "Mise en forme");
    bar.setAttribute("aria-controls", box.id);
    var buttons = actions.map(function (a, i) {
      var b = make("button", a.cls, a.label);
      b.type = "button";
      b.tabIndex = i ? -1 : 0;
      b.setAttribute("aria-label", a.name || a.label);
      if (a.key) {
        b.setAttribute("aria-keyshortcuts", "Control+" + a.key.toUpperCase());
        b.title = a.label + " (Ctrl+" + a.key.toUpperCase() + ")";
      }
      b.addEventListener("click", function () { a.run(box); });
      bar.appendChild(b);
      return b;
    });
    bar.addEventListener("keydown", function (ev) {
      var i = buttons.indexOf(document.activeElement), to = {
        ArrowRight: i + 1, ArrowLeft: i - 1, Home: 0, End: buttons.length - 1 }[ev.key];
      if (i < 0 || to === undefined) return;
      ev.preventDefault();
      to = (to + buttons.length) % buttons.length;
      buttons[i].tabIndex = -1;
      buttons[to].tabIndex = 0;
      buttons[to].focus();
    });
    box.addEventListener("keydown", function (ev) {
      if (!(ev.ctrlKey || ev.metaKey) || ev.altKey || ev.shiftKey) return;
      actions.forEach(function (a) {
        if (a.key === ev.key.toLowerCase()) { ev.preventDefault(); a.run(box); }
      });
    });
    box.parentNode.insertBefore(bar, box);
  };

  // The preview follows the text, fetched from the server ~600 ms after the
  // last key, in the markup of the no-JS « Aperçu ». A text already there
  // (a quote, a draft, the post being edited) is previewed as if just typed.
  var preview = function (form, box, token) {
    var section = form.querySelector("section.preview"), timer, asked = 0, last = section ? box.value : "";
    var area = function () {
      if (!section) {
        section = make("section", "preview");
        section.setAttribute("aria-labelledby", "apercu");
        var h = make(form.dataset.composer === "h2" ? "h2" : "h3", "", "Aperçu");
        h.id = "apercu";
        section.appendChild(h);
        section.appendChild(make("div", "post-body"));
        form.insertBefore(section, form.querySelector(".form-actions"));
      }
      section.hidden = false;
      return section.querySelector(".post-body");
    };
    var follow = function () {
      clearTimeout(timer);
      timer = setTimeout(function () {
        var text = box.value;
        if (text === last) return;
        last = text;
        var n = ++asked;
        if (!text.trim()) { if (section) section.hidden = true; return; }
        fetch("/composer/apercu", { method: "POST", body: new URLSearchParams({ body: text, place: form.dataset.draft || "" }),
          headers: { "X-CSRF-Token": token }, credentials: "same-origin" })
          .then(function (res) {
            return res.text().then(function (t) {
              if (n !== asked) return;
              if (res.ok && !res.redirected) area().innerHTML = t; // sanitized by the server
              else area().textContent = refusal(res, t, "Aperçu indisponible (session expirée ?) : le bouton « Aperçu » le montre.");
            });
          })
          .catch(function () {});
      }, 600);
    };
    box.addEventListener("input", follow);
    if (box.value.trim()) follow();
  };

  // caretAt measures where character i of a field is drawn, from the
  // field's top left corner (its scrolling included), on a hidden copy laid
  // out as the field is; height is the line's.
  var caretAt = function (field, i) {
    var cs = getComputedStyle(field), copy = make("div"), mark = make("span");
    ["boxSizing", "width", "borderTopWidth", "borderRightWidth", "borderBottomWidth", "borderLeftWidth", "borderStyle",
      "paddingTop", "paddingRight", "paddingBottom", "paddingLeft", "fontFamily", "fontSize", "fontWeight", "fontStyle",
      "letterSpacing", "lineHeight", "textTransform", "textIndent", "tabSize", "wordSpacing", "overflowWrap", "wordBreak"]
      .forEach(function (p) { copy.style[p] = cs[p]; });
    copy.style.position = "absolute";
    copy.style.visibility = "hidden";
    copy.style.top = "0";
    copy.style.left = "-9999px";
    copy.style.whiteSpace = field.tagName === "INPUT" ? "pre" : "pre-wrap";
    copy.textContent = field.value.slice(0, i);
    mark.textContent = field.value.slice(i) || ".";
    copy.appendChild(mark);
    document.body.appendChild(copy);
    var at = { top: parseFloat(cs.borderTopWidth) + mark.offsetTop - field.scrollTop,
      left: parseFloat(cs.borderLeftWidth) + mark.offsetLeft - field.scrollLeft,
      height: parseFloat(cs.lineHeight) || mark.getClientRects()[0].height };
    document.body.removeChild(copy);
    return at;
  };

  // completion offers, in a listbox opened at the caret, what the server
  // proposes for the word being typed: o.typed() says what it is ({at, text})
  // or null, o.url(text) where to ask, o.items(data) turns the answer into
  // [{value, text}], o.pick(at, value) inserts the choice. The field keeps
  // its role (ARIA allows a textarea no other; an input is a combobox):
  // aria-activedescendant points at the chosen option, a status says how
  // many there are.
  var completion = function (field, say, o) {
    var list = make("ul", "completion-list");
    list.id = field.id + "-" + o.name;
    list.setAttribute("role", "listbox");
    list.setAttribute("aria-label", o.label);
    list.hidden = true;
    field.parentNode.classList.add("completion-host");
    field.parentNode.appendChild(list);
    if (field.tagName === "INPUT") {
      field.setAttribute("role", "combobox");
      field.setAttribute("aria-expanded", "false");
      field.setAttribute("autocomplete", "off");
    }
    field.setAttribute("aria-autocomplete", "list");
    field.setAttribute("aria-controls", list.id);
    var options = [], active = -1, at = -1, timer, asked = 0, dismissed = null;
    var expand = function (open) {
      list.hidden = !open;
      if (field.hasAttribute("aria-expanded")) field.setAttribute("aria-expanded", String(open));
    };
    var close = function () {
      clearTimeout(timer);
      if (list.hidden) return;
      expand(false);
      list.textContent = "";
      options = [];
      field.removeAttribute("aria-activedescendant");
    };
    var activate = function (i) {
      options.forEach(function (el, j) { el.setAttribute("aria-selected", String(i === j)); });
      active = i;
      field.setAttribute("aria-activedescendant", options[i].id);
    };
    var choose = function (i) {
      var value = options[i].dataset.value;
      close();
      o.pick(at, value);
      // What the choice left at the caret is not offered again.
      clearTimeout(timer);
      var t = o.typed();
      dismissed = t && t.at + t.text;
    };
    // place puts the list under the line of the caret (under the field for
    // an input), within the field's box.
    var place = function () {
      var c = caretAt(field, at), host = field.parentNode;
      var top = field.tagName === "INPUT" ? field.offsetHeight : Math.min(Math.max(c.top + c.height, 0), field.offsetHeight);
      list.style.top = field.offsetTop + top + "px";
      list.style.left = Math.max(0, Math.min(field.offsetLeft + c.left, host.clientWidth - list.offsetWidth)) + "px";
    };
    var update = function () {
      var t = o.typed();
      clearTimeout(timer);
      if (!t || (dismissed && dismissed === t.at + t.text)) return close();
      dismissed = null;
      timer = setTimeout(function () {
        var n = ++asked;
        fetch(o.url(t.text), { credentials: "same-origin" })
          .then(function (res) { return res.ok && !res.redirected ? res.json() : null; })
          .then(function (data) {
            if (n !== asked) return;
            var now = o.typed(), items = data ? o.items(data) : [];
            if (!now || now.at !== t.at || !items.length) return close();
            at = t.at;
            list.textContent = "";
            options = items.map(function (item, j) {
              var li = make("li", "", item.text);
              li.id = list.id + "-" + j;
              li.dataset.value = item.value;
              li.setAttribute("role", "option");
              li.addEventListener("mousedown", function (ev) { ev.preventDefault(); choose(j); });
              list.appendChild(li);
              return li;
            });
            expand(true);
            place();
            activate(0);
            say(o.count(options.length) + " : flèches pour choisir, Entrée pour insérer, Échap pour fermer.");
          })
          .catch(close);
      }, 150);
    };
    field.addEventListener("input", update);
    field.addEventListener("click", update);
    field.addEventListener("blur", close);
    field.addEventListener("keydown", function (ev) {
      if (list.hidden || ev.altKey || ev.ctrlKey || ev.metaKey) return;
      var k = options.length;
      if (ev.key === "ArrowDown") activate((active + 1) % k);
      else if (ev.key === "ArrowUp") activate((active + k - 1) % k);
      else if (ev.key === "Enter" || (ev.key === "Tab" && !ev.shiftKey)) choose(active);
      else if (ev.key === "Escape") { var t = o.typed(); dismissed = t && t.at + t.text; close(); }
      else return;
      ev.preventDefault();
      ev.stopPropagation();
    });
    field.addEventListener("keyup", function (ev) {
      if (/^(ArrowLeft|ArrowRight|Home|End)$/.test(ev.key)) update();
    });
  };

  // @mention completion: the pseudos that start with what follows the "@"
  // before the caret.
  var mentions = function (box, say) {
    completion(box, say, {
      name: "membres", label: "Membres à mentionner",
      typed: function () {
        var end = box.selectionEnd, v = box.value.slice(0, end), i = v.lastIndexOf("@");
        if (box.selectionStart !== end || i < 0 || end - i > 31) return null;
        var name = v.slice(i + 1);
        if (!/^[\p{L}\p{N}_-]+$/u.test(name) || (i > 0 && !/[\s\p{P}]/u.test(v.charAt(i - 1)))) return null;
        return { at: i, text: name };
      },
      url: function (text) { return "/composer/membres?debut=" + encodeURIComponent(text); },
      items: function (data) { return data.members.map(function (m) { return { value: m.pseudo, text: "@" + m.pseudo }; }); },
      count: function (k) { return k + (k > 1 ? " membres proposés" : " membre proposé"); },
      pick: function (at, pseudo) { replace(box, at, box.selectionEnd, "@" + pseudo + " "); }
    });
  };

  // Tag completion in the comma-separated tags field: the tags in use that
  // start with the one being typed, those already in the field left out.
  var tags = function (input, say) {
    // segment is the tag around the caret: where it starts (spaces after
    // the comma aside) and ends.
    var segment = function () {
      var v = input.value, end = input.selectionEnd, from = v.lastIndexOf(",", end - 1) + 1, to = v.indexOf(",", end);
      while (v.charAt(from) === " ") from++;
      return { at: from, end: to < 0 ? v.length : to, text: v.slice(from, end) };
    };
    var others = function () {
      var s = segment();
      return (input.value.slice(0, s.at) + "," + input.value.slice(s.end)).split(",").map(function (t) {
        return t.trim().toLowerCase().replace(/\s+/g, "-");
      });
    };
    completion(input, say, {
      name: "etiquettes", label: "Étiquettes existantes",
      typed: function () {
        var s = segment();
        if (input.selectionStart !== input.selectionEnd || !/^[\p{L}\p{N}][\p{L}\p{N} -]{0,29}$/u.test(s.text)) return null;
        return s;
      },
      url: function (text) { return "/composer/etiquettes?debut=" + encodeURIComponent(text); },
      items: function (data) {
        var taken = others();
        return data.tags.filter(function (t) { return taken.indexOf(t.name) < 0; }).map(function (t) {
          return { value: t.name, text: t.name + " (" + t.count + (t.count > 1 ? " discussions)" : " discussion)") };
        });
      },
      count: function (k) { return k + (k > 1 ? " étiquettes proposées" : " étiquette proposée"); },
      pick: function (at, tag) {
        var end = segment().end;
        replace(input, at, end, tag + (end === input.value.length ? ", " : ""));
      }
    });
  };

  // Images (or PDFs) pasted or dropped into the text are sent at once; their
  // markdown goes where the caret is.
  var images = function (box, token, say) {
    var queue = Promise.resolve();
    var send = function (file) {
      var data = new FormData(), image = /^image\//.test(file.type);
      data.append("fichier", file, file.name || "image.png");
      say(image ? "Envoi de l’image…" : "Envoi du fichier…");
      return fetch("/composer/fichier", { method: "POST", body: data, headers: { "X-CSRF-Token": token }, credentials: "same-origin" })
        .then(function (res) {
          return res.text().then(function (t) {
            if (res.status === 413) throw new Error("Cette image est trop volumineuse : réduisez-la, ou joignez-la avec le bouton « Joindre le fichier ».");
            if (!res.ok || res.redirected) throw new Error(refusal(res, t, "L’image n’a pas été envoyée (session expirée ?) : essayez le bouton « Joindre le fichier »."));
            var md = JSON.parse(t).markdown, s = box.selectionStart, e = box.selectionEnd, v = box.value;
            var text = (s > 0 && v.charAt(s - 1) !== "\n" ? "\n\n" : "") + md + (v.charAt(e) === "\n" ? "" : "\n");
            replace(box, s, e, text, text.length, text.length);
            say(md.indexOf("[![") === 0 ? "Image ajoutée au message. Vous pouvez changer sa description, entre les premiers crochets." : "Fichier ajouté au message.");
          });
        })
        .catch(function (err) { say(err.message || "L’image n’a pas été envoyée : vérifiez la connexion."); });
    };
    var take = function (ev, dt) {
      var list = dt ? Array.prototype.slice.call(dt.files || []) : [];
      if (!list.length) return;
      ev.preventDefault();
      list.forEach(function (f) { queue = queue.then(function () { return send(f); }); });
    };
    box.addEventListener("paste", function (ev) {
      // Text copied from a word processor comes with a picture of itself:
      // the text is what was meant.
      var dt = ev.clipboardData;
      if (dt && Array.prototype.indexOf.call(dt.types, "text/plain") < 0) take(ev, dt);
    });
    box.addEventListener("drop", function (ev) { take(ev, ev.dataTransfer); });
    box.addEventListener("dragover", function (ev) {
      if (ev.dataTransfer && Array.prototype.indexOf.call(ev.dataTransfer.types, "Files") >= 0) ev.preventDefault();
    });
  };

  document.querySelectorAll("form[data-composer]").forEach(function (form) {
    var box = form.querySelector('textarea[name="body"]'), token = form.querySelector('input[name="_csrf"]');
    if (!box || box.readOnly || !token) return;
    var status = make("p", "composer-status"), hint = make("p", "visually-hidden");
    status.setAttribute("role", "status");
    hint.setAttribute("role", "status");
    box.parentNode.insertBefore(status, box.nextSibling);
    box.parentNode.insertBefore(hint, status);
    var say = function (el) { return function (msg) { el.textContent = msg; }; };
    toolbar(box);
    preview(form, box, token.value);
    mentions(box, say(hint));
    var tagField = form.querySelector('input[name="tags"]');
    if (tagField && tagField.id) tags(tagField, say(hint));
    images(box, token.value, say(status));
  });
})();

// A fiche's editor: who else has it open, and a revision saved meanwhile
// (merged at save; the text being typed is never touched).
(function () {
  "use strict";
  var notice = document.querySelector(".live-editors[data-events]");
  if (!notice || !window.EventSource) return;
  var base = parseInt(notice.dataset.base, 10);
  var source = liveStream(notice.dataset.events);
  source.addEventListener("fiche", function (event) {
    var news = JSON.parse(event.data), parts = [];
    if (news.editors.length) {
      parts.push(news.editors.join(", ") + (news.editors.length > 1 ? " modifient" : " modifie") + " aussi cette fiche.");
    }
    if (news.revision > base) {
      parts.push("La révision " + news.revision + " vient d’être enregistrée : vos modifications seront fusionnées avec elle à l’enregistrement.");
    }
    notice.textContent = parts.join(" ");
  });
})();

// The bell: its count follows new notifications without reloading.
(function () {
  "use strict";
  var bell = document.querySelector("a.bell[data-events]");
  if (!bell || !window.EventSource) return;
  // The page's stream, whichever opened it, carries the count.
  liveStream(bell.dataset.events).addEventListener("unread", function (event) {
    var n = parseInt(event.data, 10) || 0, count = bell.querySelector(".count");
    if (!n) { if (count) count.remove(); return; }
    if (!count) {
      count = document.createElement("span");
      count.className = "count";
      bell.appendChild(document.createTextNode(" "));
      bell.appendChild(count);
    }
    count.innerHTML = "";
    count.appendChild(document.createTextNode("(" + n));
    var hidden = document.createElement("span");
    hidden.className = "visually-hidden";
    hidden.textContent = n > 1 ? " non lues" : " non lue";
    count.appendChild(hidden);
    count.appendChild(document.createTextNode(")"));
  });
})();
