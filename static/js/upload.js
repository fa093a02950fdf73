/* Upload with a progress bar and drag-and-drop. Without this script the form posts as usual;
   with it the same multipart form (csrf_token included) goes through XMLHttpRequest, whose
   upload events are the only portable way to watch a large body leave the browser. */
(function () {
  "use strict";

  var form = document.querySelector("form.upload-form");
  if (!form || !window.FormData || !window.XMLHttpRequest || !window.DOMParser) {
    return;
  }
  var input = form.querySelector("input[type=file]");
  var zone = document.getElementById("dropzone");
  var message = document.getElementById("upload-message");
  var block = document.getElementById("upload-progress-block");
  var bar = document.getElementById("upload-progress");
  var percent = document.getElementById("upload-percent");
  var button = form.querySelector("button[type=submit]");

  /* Show one message next to the form; textContent, never HTML: it may echo a file name. */
  function say(text, kind) {
    message.textContent = "";
    if (text) {
      var p = document.createElement("p");
      p.className = kind === "ok" ? "form-ok" : "form-error";
      p.textContent = text;
      message.appendChild(p);
    }
  }

  function show(value) {
    var rounded = Math.max(0, Math.min(100, Math.round(value)));
    bar.value = rounded;
    bar.setAttribute("aria-valuenow", String(rounded));
    bar.textContent = rounded + "%";
    percent.textContent = rounded + "%";
  }

  function busy(on) {
    button.disabled = on;
    input.disabled = on;
    zone.classList.toggle("busy", on);
  }

  /* The server's message for a refusal: the page it answers carries it in .form-error. */
  function refusal(xhr) {
    var text = "";
    try {
      var page = new DOMParser().parseFromString(xhr.responseText, "text/html");
      var found = page.querySelector("#upload-message .form-error, .form-error, main .lead");
      text = found ? found.textContent.trim() : "";
    } catch (ignored) {
      text = "";
    }
    return text || "The document was not stored: the server answered " + xhr.status + " " + xhr.statusText + ".";
  }

  function upload() {
    var xhr = new XMLHttpRequest();
    xhr.open("POST", form.action);
    xhr.upload.addEventListener("progress", function (event) {
      if (event.lengthComputable) {
        show((event.loaded / event.total) * 100);
      }
    });
    xhr.upload.addEventListener("load", function () {
      show(100);
      say("Uploaded: the server is checking the document…", "ok");
    });
    xhr.addEventListener("load", function () {
      // The server answers 303 to the document's page and XHR follows it: go where it went.
      if (xhr.status === 200 && xhr.responseURL && xhr.responseURL.indexOf("/documents/upload") === -1) {
        show(100);
        say("Stored. Opening the document…", "ok");
        window.location.assign(xhr.responseURL);
        return;
      }
      busy(false);
      block.hidden = true; // a full bar next to a refusal would read as success
      say(refusal(xhr));
    });
    xhr.addEventListener("error", function () {
      // A body over the limit is refused before it is read, and the connection may close under it.
      busy(false);
      block.hidden = true;
      say("The upload stopped before the server answered. Is the file larger than " +
          form.getAttribute("data-limit-text") + "? Check your connection and try again.");
    });
    xhr.addEventListener("abort", function () {
      busy(false);
      say("The upload was cancelled.");
    });
    var data = new FormData(form);
    busy(true);
    block.hidden = false;
    show(0);
    say("");
    xhr.send(data);
  }

  form.addEventListener("submit", function (event) {
    if (!input.files || input.files.length === 0) {
      return; // let the browser's own "required" message speak
    }
    var limit = Number(form.getAttribute("data-limit"));
    if (limit && input.files[0].size > limit) {
      event.preventDefault();
      say("The document was not stored: it is larger than " + form.getAttribute("data-limit-text") + ".");
      return;
    }
    event.preventDefault();
    upload();
  });

  // Drag and drop: a dropped file becomes the file input's, so both paths submit the same form.
  zone.querySelector(".dropzone-text").hidden = false;
  zone.classList.add("droppable");
  ["dragenter", "dragover"].forEach(function (name) {
    zone.addEventListener(name, function (event) {
      event.preventDefault();
      zone.classList.add("over");
    });
  });
  ["dragleave", "drop"].forEach(function (name) {
    zone.addEventListener(name, function () {
      zone.classList.remove("over");
    });
  });
  zone.addEventListener("drop", function (event) {
    event.preventDefault();
    if (event.dataTransfer && event.dataTransfer.files.length > 0) {
      input.files = event.dataTransfer.files;
      say("Ready to upload " + input.files[0].name + ".", "ok");
    }
  });
}());
