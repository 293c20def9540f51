// Passkey sign-in / step-up: options from the server, navigator.credentials.get, verify.
(function () {
  const root = document.getElementById("passkey-check");
  if (!root) return;
  const status = document.getElementById("passkey-status");
  const csrf = root.querySelector("input[name=csrfmiddlewaretoken]").value;
  const post = (url, body) =>
    fetch(url, {
      method: "POST",
      credentials: "same-origin",
      headers: { "Content-Type": "application/json", "X-CSRFToken": csrf },
      body: JSON.stringify(body || {}),
    });
  document.getElementById("use-passkey").addEventListener("click", async () => {
    status.className = "";
    status.textContent = "Waiting for your device…";
    try {
      const optionsResponse = await post(root.dataset.optionsUrl);
      const options = await optionsResponse.json();
      if (!optionsResponse.ok) throw new Error(options.error || "The server refused.");
      const credential = await navigator.credentials.get({
        publicKey: PublicKeyCredential.parseRequestOptionsFromJSON(options),
      });
      const verify = await post(root.dataset.verifyUrl, {
        credential: credential.toJSON(),
        next: root.dataset.next,
      });
      const result = await verify.json();
      if (!verify.ok) throw new Error(result.error || "The check failed.");
      status.textContent = "Verified.";
      window.location.assign(result.next);
    } catch (err) {
      status.textContent = "The passkey check did not succeed: " + (err && err.message ? err.message : err);
      status.className = "error";
    }
  });
})();
