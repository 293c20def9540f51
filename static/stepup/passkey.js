// Every passkey ceremony in the browser: options from the server, the WebAuthn call, verify.
// A page marks its ceremony on one element (no inline script, for the CSP):
//   data-ceremony="create" (register a passkey) or "get" (sign in / step-up check),
//   data-options-url, data-verify-url, optional data-next (sent back with the answer);
// inside it a CSRF token field, a button[data-ceremony-start], a [role=status] element and,
// for "create", an input[data-ceremony-name] naming the new passkey.
(function () {
  const WORDS = {
    create: { done: "Passkey added.", failed: "Could not add the passkey: ", refused: "The passkey was refused." },
    get: { done: "Verified.", failed: "The passkey check did not succeed: ", refused: "The check failed." },
  };

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
    root.querySelector("button[data-ceremony-start]").addEventListener("click", async () => {
      status.className = "";
      status.textContent = "Waiting for your device…";
      try {
        const optionsResponse = await post(root.dataset.optionsUrl);
        const options = await optionsResponse.json();
        if (!optionsResponse.ok) throw new Error(options.error || "The server refused.");
        const credential = await ask(mode, options);
        const answer = { credential: credential.toJSON() };
        if (name) answer.name = name.value;
        if (root.dataset.next !== undefined) answer.next = root.dataset.next;
        const verify = await post(root.dataset.verifyUrl, answer);
        const result = await verify.json();
        if (!verify.ok) throw new Error(result.error || words.refused);
        status.textContent = words.done;
        window.location.assign(result.next);
      } catch (err) {
        status.textContent = words.failed + (err && err.message ? err.message : err);
        status.className = "error";
      }
    });
  }

  document.querySelectorAll("[data-ceremony]").forEach(start);
})();
