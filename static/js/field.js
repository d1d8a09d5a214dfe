/* The phone form on site: what is typed is kept on the phone as it is typed, and an entry that
   cannot be sent (no network) waits in a queue, with its own reference (client_ref), until the
   connection is back. The server stores an entry re-sent with the same reference only once.
   Without this file the form posts as any other form. */
(function () {
  "use strict";

  var QUEUE_KEY = "micedesk.field.queue";
  var DRAFT_PREFIX = "micedesk.field.draft.";
  var flushing = false;

  function newRef() {
    if (window.crypto && window.crypto.randomUUID) {
      return window.crypto.randomUUID();
    }
    var bytes = new Uint8Array(16);
    window.crypto.getRandomValues(bytes);
    bytes[6] = (bytes[6] & 0x0f) | 0x40;
    bytes[8] = (bytes[8] & 0x3f) | 0x80;
    var hex = Array.prototype.map.call(bytes, function (b) {
      return (b + 0x100).toString(16).slice(1);
    }).join("");
    return [hex.slice(0, 8), hex.slice(8, 12), hex.slice(12, 16), hex.slice(16, 20), hex.slice(20)].join("-");
  }

  function read(key, fallback) {
    try {
      var value = window.localStorage.getItem(key);
      return value ? JSON.parse(value) : fallback;
    } catch (error) {
      return fallback;
    }
  }

  function write(key, value) {
    try {
      if (value === null) {
        window.localStorage.removeItem(key);
      } else {
        window.localStorage.setItem(key, JSON.stringify(value));
      }
    } catch (error) {
      /* A full or disabled storage: the form still works online. */
    }
  }

  function form() {
    return document.querySelector("[data-field-form]");
  }

  function draftKey(theForm) {
    return DRAFT_PREFIX + theForm.getAttribute("data-event");
  }

  function fieldsOf(theForm) {
    var pairs = [];
    new FormData(theForm).forEach(function (value, name) {
      pairs.push([name, String(value)]);
    });
    return pairs;
  }

  function saveDraft() {
    var theForm = form();
    if (theForm) {
      write(draftKey(theForm), fieldsOf(theForm).filter(function (pair) {
        return pair[0] !== "csrfmiddlewaretoken";
      }));
    }
  }

  function isEmpty(theForm) {
    return !Array.prototype.some.call(theForm.elements, function (element) {
      if (element.type === "checkbox") {
        return element.checked;
      }
      return element.type !== "hidden" && element.type !== "submit" && element.value;
    });
  }

  function restoreDraft(theForm) {
    var pairs = read(draftKey(theForm), null);
    if (!pairs || theForm.querySelector("[data-testid=form-errors]") || !isEmpty(theForm)) {
      return;
    }
    pairs.forEach(function (pair) {
      var elements = theForm.querySelectorAll("[name='" + pair[0] + "']");
      Array.prototype.forEach.call(elements, function (element) {
        if (element.type === "checkbox") {
          element.checked = element.checked || element.value === pair[1];
        } else {
          element.value = pair[1];
        }
      });
    });
  }

  function clearForm(theForm) {
    Array.prototype.forEach.call(theForm.elements, function (element) {
      if (element.name === "client_ref") {
        element.value = newRef();
      } else if (element.type === "checkbox") {
        element.checked = false;
      } else if (element.type !== "hidden" && element.type !== "submit" && element.tagName !== "BUTTON") {
        element.value = "";
      }
    });
    var errors = theForm.querySelector("[data-testid=form-errors]");
    if (errors) {
      errors.remove();
    }
    write(draftKey(theForm), null);
  }

  function say(kind) {
    var status = document.querySelector("[data-field-status]");
    if (status) {
      status.textContent = status.getAttribute("data-msg-" + kind) || "";
    }
  }

  function queue() {
    return read(QUEUE_KEY, []);
  }

  function showQueue() {
    var box = document.querySelector("[data-field-queue]");
    if (!box) {
      return;
    }
    var count = queue().length;
    box.querySelector("[data-field-queue-count]").textContent = String(count);
    box.hidden = count === 0;
  }

  function currentToken() {
    var input = document.querySelector("[data-field-form] [name=csrfmiddlewaretoken]");
    return input ? input.value : "";
  }

  /* Resolves with "ok", "refused" or "failed" and the page's HTML; rejects when offline. */
  function send(entry) {
    var body = new URLSearchParams();
    entry.fields.forEach(function (pair) {
      body.append(pair[0], pair[0] === "csrfmiddlewaretoken" ? currentToken() || pair[1] : pair[1]);
    });
    return fetch(entry.action, {
      method: "POST",
      body: body,
      credentials: "same-origin",
      redirect: "manual",
      headers: { "HX-Request": "true" }
    }).then(function (response) {
      if (response.status === 200) {
        return response.text().then(function (html) { return { kind: "ok", html: html }; });
      }
      if (response.status === 400) {
        return response.text().then(function (html) { return { kind: "refused", html: html }; });
      }
      return { kind: "failed", html: "" };
    });
  }

  function showMet(entry, html) {
    var theForm = form();
    var list = document.getElementById("field-met");
    if (list && theForm && theForm.getAttribute("action") === entry.action) {
      list.innerHTML = html;
    }
  }

  function showRefused(html) {
    var holder = document.getElementById("field-form");
    if (holder) {
      holder.innerHTML = html;
    }
    say("refused");
  }

  function flush() {
    if (flushing) {
      return;
    }
    var entries = queue();
    if (!entries.length) {
      showQueue();
      return;
    }
    flushing = true;
    var entry = entries[0];
    send(entry).then(function (result) {
      flushing = false;
      if (result.kind === "failed") {
        say("failed");
        return;
      }
      write(QUEUE_KEY, queue().filter(function (queued) { return queued.ref !== entry.ref; }));
      showQueue();
      if (result.kind === "ok") {
        showMet(entry, result.html);
        say("sent");
      } else {
        showRefused(result.html);
      }
      flush();
    }, function () {
      flushing = false;
      showQueue();
    });
  }

  function submit(event) {
    var theForm = event.target;
    if (!theForm.matches || !theForm.matches("[data-field-form]")) {
      return;
    }
    event.preventDefault();
    var refInput = theForm.querySelector("[name=client_ref]");
    if (!refInput.value) {
      refInput.value = newRef();
    }
    var entry = { ref: refInput.value, action: theForm.getAttribute("action"), fields: fieldsOf(theForm) };
    var button = theForm.querySelector("[type=submit]");
    button.disabled = true;
    send(entry).then(function (result) {
      button.disabled = false;
      if (result.kind === "ok") {
        showMet(entry, result.html);
        clearForm(theForm);
        say("recorded");
      } else if (result.kind === "refused") {
        showRefused(result.html);
      } else {
        say("failed");
      }
    }, function () {
      button.disabled = false;
      var entries = queue();
      entries.push(entry);
      write(QUEUE_KEY, entries);
      clearForm(theForm);
      showQueue();
      say("queued");
    });
  }

  document.addEventListener("DOMContentLoaded", function () {
    var theForm = form();
    if (!theForm) {
      return;
    }
    restoreDraft(theForm);
    document.addEventListener("input", function (event) {
      if (event.target.form && event.target.form.matches("[data-field-form]")) {
        saveDraft();
      }
    });
    document.addEventListener("change", function (event) {
      if (event.target.form && event.target.form.matches("[data-field-form]")) {
        saveDraft();
      }
    });
    document.addEventListener("submit", submit);
    var retry = document.querySelector("[data-field-retry]");
    if (retry) {
      retry.addEventListener("click", flush);
    }
    window.addEventListener("online", flush);
    showQueue();
    if (navigator.onLine !== false) {
      flush();
    }
  });
})();
