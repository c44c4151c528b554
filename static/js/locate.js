/* "Use my location" on the lookup page: an enhancement. The button shows only where the
 * browser can give a location; the position goes to the lookup page as ?lat=&lon=, which
 * answers it with the same decision as the API's /api/points. Without JavaScript the
 * postcode form does everything. */
(function () {
  "use strict";
  var box = document.querySelector("[data-portal-locate]");
  if (!box || !("geolocation" in navigator)) return;
  var button = box.querySelector("[data-portal-locate-button]");
  var message = box.querySelector("[data-portal-locate-message]");
  var MESSAGES = {
    denied:
      "You did not let this site use your location, so we cannot find your neighbourhood " +
      "that way. Enter your postcode instead.",
    failed:
      "We could not get your location from your browser. Try again, or enter your postcode " +
      "instead.",
  };
  box.hidden = false;
  button.addEventListener("click", function () {
    button.disabled = true;
    message.textContent = "Finding your location…";
    navigator.geolocation.getCurrentPosition(
      function (position) {
        var lat = position.coords.latitude.toFixed(5);
        var lon = position.coords.longitude.toFixed(5);
        window.location.assign(box.getAttribute("data-lookup-url") + "?lat=" + lat + "&lon=" + lon);
      },
      function (error) {
        button.disabled = false;
        message.textContent = error.code === 1 ? MESSAGES.denied : MESSAGES.failed;
      },
      { enableHighAccuracy: false, timeout: 15000, maximumAge: 60000 }
    );
  });
})();
