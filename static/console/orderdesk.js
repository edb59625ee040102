/* Order desk: htmx requests from console pages (the phone reveal) carry Django's CSRF token. */
(function () {
    function csrfToken() {
        var input = document.querySelector("input[name=csrfmiddlewaretoken]");
        if (input) return input.value;
        var match = document.cookie.match(/(?:^|;\s*)csrftoken=([^;]+)/);
        return match ? decodeURIComponent(match[1]) : "";
    }
    document.addEventListener("htmx:configRequest", function (event) {
        event.detail.headers["X-CSRFToken"] = csrfToken();
    });
})();
