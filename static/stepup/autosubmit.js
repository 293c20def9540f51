// SAML HTTP-POST binding: submit the response form at once. Without JavaScript the
// visible "Continue" button does the same.
document.getElementById("saml-post").submit();
