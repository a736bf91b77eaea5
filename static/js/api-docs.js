// /api/docs: Swagger UI over our OpenAPI document (vendored in static/vendor/swagger-ui).
(function () {
  "use strict";
  var root = document.getElementById("swagger-ui");
  if (!root || typeof window.SwaggerUIBundle !== "function") {
    return;
  }
  window.SwaggerUIBundle({
    url: root.getAttribute("data-spec-url"),
    domNode: root,
    deepLinking: true,
    validatorUrl: null, // no request to the public validator
    tryItOutEnabled: false,
    persistAuthorization: false,
  });
})();
