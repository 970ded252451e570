// Progressive enhancements. Every page works without this file: it only
// saves drafts as you type, quotes a selection, lists similar topics while
// you type a title, and announces new replies.
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
              a.textContent = t.title + (t.resolved ? " (résolue)" : "");
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
    var source = new EventSource("/discussions/" + topic.dataset.topic + "/evenements");
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
