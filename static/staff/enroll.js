// Passkey enrollment: options from the server, navigator.credentials.create, verify.
(function () {
  const root = document.getElementById("enroll");
  if (!root) return;
  const status = document.getElementById("enroll-status");
  const csrf = root.querySelector("input[name=csrfmiddlewaretoken]").value;
  const post = (url, body) =>
    fetch(url, {
      method: "POST",
      credentials: "same-origin",
      headers: { "Content-Type": "application/json", "X-CSRFToken": csrf },
      body: body === undefined ? "{}" : JSON.stringify(body),
    });
  document.getElementById("create-passkey").addEventListener("click", async () => {
    status.textContent = "Waiting for your device…";
    try {
      const optionsResponse = await post(root.dataset.optionsUrl);
      const options = await optionsResponse.json();
      if (!optionsResponse.ok) throw new Error(options.error || "The server refused.");
      const credential = await navigator.credentials.create({
        publicKey: PublicKeyCredential.parseCreationOptionsFromJSON(options),
      });
      const verify = await post(root.dataset.verifyUrl, {
        credential: credential.toJSON(),
        name: document.getElementById("passkey-name").value,
      });
      const result = await verify.json();
      if (!verify.ok) throw new Error(result.error || "The passkey was refused.");
      status.textContent = "Passkey added.";
      window.location.assign(result.next);
    } catch (err) {
      status.textContent = "Could not add the passkey: " + (err && err.message ? err.message : err);
      status.className = "error";
    }
  });
})();
