// The phone's position, only after the worker's consent (Q12). Without JavaScript or
// geolocation the page still works: the worker types an address or gives none.
(function () {
  var script = document.currentScript;
  var box = document.querySelector(".geolocation");
  if (!box || !navigator.geolocation) { return; }
  box.hidden = false;
  var consent = document.getElementById("consent");
  var button = document.getElementById("locate");
  var shown = document.getElementById("position");
  consent.addEventListener("change", function () {
    button.disabled = !consent.checked;
    if (!consent.checked) {
      ["latitude", "longitude", "accuracy"].forEach(function (id) { document.getElementById(id).value = ""; });
      shown.textContent = "";
    }
  });
  button.addEventListener("click", function () {
    navigator.geolocation.getCurrentPosition(function (position) {
      var c = position.coords;
      document.getElementById("latitude").value = c.latitude.toFixed(7);
      document.getElementById("longitude").value = c.longitude.toFixed(7);
      document.getElementById("accuracy").value = Math.min(c.accuracy, 100000).toFixed(2);
      shown.textContent = script.dataset.found
        .replace("%(latitude)s", c.latitude.toFixed(5))
        .replace("%(longitude)s", c.longitude.toFixed(5))
        .replace("%(accuracy)s", Math.round(c.accuracy));
    }, function () {
      shown.textContent = script.dataset.failed;
    }, { enableHighAccuracy: true, timeout: 15000 });
  });
})();
