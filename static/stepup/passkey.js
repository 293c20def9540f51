// Every passkey ceremony in the browser: options from the server, the WebAuthn call, verify.
// A page marks its ceremony on one element (no inline script, for the CSP):
//   data-ceremony="create" (register a passkey) or "get" (sign in / step-up check),
//   data-options-url, data-verify-url, optional data-next (sent back with the answer);
// inside it a CSRF token field, a button[data-ceremony-start], a [role=status] element and,
// for "create", an input[data-ceremony-name] naming the new passkey. An optional
// data-failed-url receives the name of a browser error (never its message) for the audit.
(function () {
  const WORDS = {
    create: { done: "Passkey added.", failed: "Could not add the passkey. ", refused: "The passkey was refused." },
    get: { done: "Verified.", failed: "The passkey check did not succeed. ", refused: "The check failed." },
  };
  // The browser's own messages ("The operation either timed out or was not allowed. See:
  // https://www.w3.org/…") are not for people: the error's name says what happened.
  const BROWSER_ERRORS = {
    NotAllowedError:
      "It timed out or was declined on your device. Choose Try again and confirm with your fingerprint, face or screen lock when your device asks.",
    TimeoutError:
      "Your device did not answer in time. Choose Try again and confirm when your device asks.",
    AbortError: "The check was cancelled. Choose Try again when you are ready.",
    InvalidStateError:
      "This device already holds a passkey for your account. Use that passkey, or add this one from another device.",
    SecurityError:
      "This page's address does not match the district's sign-in site. Open the sign-in link from the district again; if it keeps happening, tell the help desk.",
    NotSupportedError:
      "This browser or device cannot use passkeys. Try again on a device with a fingerprint reader, face recognition or a screen lock.",
  };
  const OTHER_ERROR = "Something went wrong on your device. Choose Try again; if it keeps happening, tell the help desk.";

  function explain(err) {
    if (err && err.name && err.name in BROWSER_ERRORS) return BROWSER_ERRORS[err.name];
    if (err instanceof DOMException) return OTHER_ERROR;
    return err && err.message ? err.message : String(err); // the server's own words
  }

  // Browsers say NotAllowedError both when the person declined and when nobody answered
  // before the ceremony's timeout: the time it took tells the second apart (1 s margin).
  function timedOut(err, options, started) {
    const limit = Number(options && options.timeout);
    return err && err.name === "NotAllowedError" && limit > 0 && Date.now() - started >= limit - 1000;
  }

  async function ask(mode, options) {
    if (mode === "create") {
      return navigator.credentials.create({
        publicKey: PublicKeyCredential.parseCreationOptionsFromJSON(options),
      });
    }
    return navigator.credentials.get({
      publicKey: PublicKeyCredential.parseRequestOptionsFromJSON(options),
    });
  }

  function start(root) {
    const mode = root.dataset.ceremony === "create" ? "create" : "get";
    const words = WORDS[mode];
    const status = root.querySelector("[role=status]");
    const name = root.querySelector("input[data-ceremony-name]");
    const csrf = root.querySelector("input[name=csrfmiddlewaretoken]").value;
    const post = (url, body) =>
      fetch(url, {
        method: "POST",
        credentials: "same-origin",
        headers: { "Content-Type": "application/json", "X-CSRFToken": csrf },
        body: JSON.stringify(body || {}),
      });
    const button = root.querySelector("button[data-ceremony-start]");
    // Awaited, so the record is in before the person can start another check.
    const report = async (err) => {
      if (!root.dataset.failedUrl || !(err instanceof DOMException)) return;
      await post(root.dataset.failedUrl, { error: err.name }).catch(() => {});
    };
    button.addEventListener("click", async () => {
      status.className = "";
      status.textContent = "Waiting for your device…";
      try {
        const optionsResponse = await post(root.dataset.optionsUrl);
        const options = await optionsResponse.json();
        if (!optionsResponse.ok) throw new Error(options.error || "The server refused.");
        let credential;
        const started = Date.now();
        try {
          credential = await ask(mode, options);
        } catch (err) {
          const failure = timedOut(err, options, started) ? new DOMException("", "TimeoutError") : err;
          await report(failure);
          throw failure;
        }
        const answer = { credential: credential.toJSON() };
        if (name) answer.name = name.value;
        if (root.dataset.next !== undefined) answer.next = root.dataset.next;
        const verify = await post(root.dataset.verifyUrl, answer);
        const result = await verify.json();
        if (!verify.ok) throw new Error(result.error || words.refused);
        status.textContent = words.done;
        window.location.assign(result.next);
      } catch (err) {
        status.textContent = words.failed + explain(err);
        status.className = "error";
        button.textContent = "Try again";
      }
    });
  }

  document.querySelectorAll("[data-ceremony]").forEach(start);
})();
