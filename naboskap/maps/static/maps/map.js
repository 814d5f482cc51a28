// Naboskap's map component (Leaflet). Each element with data-map-config reads its settings
// from the JSON script it names (built by naboskap.maps.layers.map_spec): the base map's tile
// URL, the centre, the shapes to draw and, on a form, the fields a marked place goes into.
// Without a tile URL, or when the tile server cannot be reached, the shapes are drawn on a
// plain background. The map pans with the arrow keys and zooms with + and -; a place is
// marked by a tap, by "Use my location", or by the button that marks the map's centre.
(function () {
  "use strict";

  const KIND_COLOURS = { site: "#1e3a8a", place: "#9a3412", address: "#334155", concern: "#7c2d12", cell: "#1e3a8a" };

  function drawFeature(map, feature) {
    const colour = KIND_COLOURS[feature.kind] || "#1e3a8a";
    let layer;
    if (feature.type === "circle") {
      layer = L.circle([feature.lat, feature.lon], { radius: feature.radius, color: colour, weight: 2, fillOpacity: 0.05, interactive: false });
    } else if (feature.type === "cell") {
      layer = L.rectangle(feature.bounds, { color: colour, weight: 1, fillOpacity: Math.min(0.15 + feature.share * 0.6, 0.75), interactive: false });
    } else {
      layer = L.circleMarker([feature.lat, feature.lon], { radius: feature.size || 7, color: "#ffffff", weight: 2, fillColor: colour, fillOpacity: 1, interactive: false });
    }
    layer.addTo(map);
    if (feature.label) {
      layer.bindTooltip(feature.label, { permanent: true, direction: "top", offset: [0, -8], className: "map__label" });
    }
    return layer;
  }

  function picker(element, map, config) {
    const form = element.closest("form");
    const pick = config.picker;
    const latitude = form.elements[pick.latitude];
    const longitude = form.elements[pick.longitude];
    const where = pick.location ? form.elements[pick.location] : null;
    const status = document.getElementById(pick.status);
    const controls = document.getElementById(pick.controls);
    let marker = null;

    function say(text) { status.textContent = text; }

    function show(lat, lon) {
      if (marker) { marker.setLatLng([lat, lon]); } else {
        marker = L.circleMarker([lat, lon], { radius: 10, color: "#ffffff", weight: 3, fillColor: "#b91c1c", fillOpacity: 1, interactive: false }).addTo(map);
      }
      controls.querySelector("[data-map-clear]").hidden = false;
    }

    function mark(lat, lon) {
      latitude.value = lat.toFixed(6);
      longitude.value = lon.toFixed(6);
      show(lat, lon);
      say(pick.texts.marked);
      if (!pick.nearest) { return; }
      const url = pick.nearest + "?lat=" + encodeURIComponent(latitude.value) + "&lon=" + encodeURIComponent(longitude.value);
      fetch(url, { headers: { Accept: "application/json" } })
        .then(function (response) { return response.ok ? response.json() : null; })
        .then(function (answer) {
          if (!answer || !answer.address) { return; }
          say(pick.texts.near.replace("%(address)s", answer.address));
          if (where && !where.value.trim()) {
            where.value = answer.address;
            where.dataset.filledByMap = "1";
          } else if (where && where.dataset.filledByMap) {
            where.value = answer.address;
          }
        })
        .catch(function () { /* the mark stands without an address */ });
    }

    if (latitude.value && longitude.value) {
      show(parseFloat(latitude.value), parseFloat(longitude.value));
      map.setView([parseFloat(latitude.value), parseFloat(longitude.value)], Math.max(map.getZoom(), 16));
      say(pick.texts.marked);
    }
    map.on("click", function (event) { mark(event.latlng.lat, event.latlng.lng); });
    controls.querySelector("[data-map-centre]").addEventListener("click", function () {
      const centre = map.getCenter();
      mark(centre.lat, centre.lng);
    });
    controls.querySelector("[data-map-clear]").addEventListener("click", function (event) {
      latitude.value = "";
      longitude.value = "";
      if (marker) { map.removeLayer(marker); marker = null; }
      event.currentTarget.hidden = true;
      say(pick.texts.cleared);
    });
    const locate = controls.querySelector("[data-map-locate]");
    if (navigator.geolocation) {
      locate.addEventListener("click", function () {
        say(pick.texts.locating);
        navigator.geolocation.getCurrentPosition(function (position) {
          map.setView([position.coords.latitude, position.coords.longitude], 17);
          mark(position.coords.latitude, position.coords.longitude);
        }, function () { say(pick.texts.no_location); }, { enableHighAccuracy: true, timeout: 15000 });
      });
    } else {
      locate.hidden = true;
    }
    controls.hidden = false;
  }

  function start(element) {
    if (element.dataset.mapStarted) { return; }  // a page with two maps loads this twice
    element.dataset.mapStarted = "1";
    const config = JSON.parse(document.getElementById(element.dataset.mapConfig).textContent);
    element.hidden = false;
    const map = L.map(element, { zoomControl: false, attributionControl: false, keyboard: true, scrollWheelZoom: false });
    L.control.zoom({ zoomInTitle: config.texts.zoom_in, zoomOutTitle: config.texts.zoom_out }).addTo(map);
    if (config.tiles) {
      L.tileLayer(config.tiles, { maxZoom: 19, attribution: config.attribution }).addTo(map);
      L.control.attribution({ prefix: false }).addTo(map);
    } else {
      element.classList.add("map--plain");
    }
    L.control.scale({ imperial: false }).addTo(map);
    const layers = config.features.map(function (feature) { return drawFeature(map, feature); });
    if (config.centre) {
      map.setView(config.centre, config.zoom);
    } else if (layers.length) {
      map.fitBounds(L.featureGroup(layers).getBounds(), { padding: [24, 24], maxZoom: config.zoom });
    } else {
      map.setView([64.5, 12], 4);
    }
    // Leaflet's container takes focus for the keyboard: give it the map's name.
    element.setAttribute("aria-label", config.label);
    element.setAttribute("role", "application");
    element.setAttribute("aria-roledescription", config.texts.map);
    if (config.picker) { picker(element, map, config); }
  }

  function startAll() {
    document.querySelectorAll("[data-map-config]").forEach(start);
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", startAll);
  } else {
    startAll();
  }
}());
