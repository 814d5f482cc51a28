// Naboskap's map component (Leaflet). Each element with data-map-config reads its settings
// from the JSON script it names (built by naboskap.maps.layers.map_spec): the base map's tile
// URL, the centre, the shapes to draw and, on a form, the fields a marked place goes into.
// Without a tile URL, or when the tile server cannot be reached, the shapes are drawn on a
// plain background. The map pans with the arrow keys and zooms with + and -; a place is
// marked by a tap, by "Use my location", or by the button that marks the map's centre.
(function () {
  "use strict";

  function dotStyle(kind, colour) {
    const small = kind === "address";
    return { radius: small ? 4 : 7, color: "#ffffff", weight: small ? 1 : 2, fillColor: colour, fillOpacity: 1, interactive: false };
  }

  function drawFeature(map, feature, colours) {
    const colour = (colours || {})[feature.kind] || "#1e3a8a";
    let layer;
    if (feature.type === "circle") {
      layer = L.circle([feature.lat, feature.lon], { radius: feature.radius, color: colour, weight: 2, fillOpacity: 0.05, interactive: false });
    } else if (feature.type === "cell") {
      layer = L.rectangle(feature.bounds, { color: colour, weight: 1, fillOpacity: Math.min(0.15 + feature.share * 0.6, 0.75), interactive: false });
    } else {
      layer = L.circleMarker([feature.lat, feature.lon], dotStyle(feature.kind, colour));
    }
    layer.addTo(map);
    if (feature.label) {
      // The site's name goes below its dot, other names above theirs: they overlap less.
      const below = feature.kind === "site";
      layer.bindTooltip(feature.label, { permanent: true, direction: below ? "bottom" : "top", offset: [0, below ? 8 : -8], className: "map__label" });
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

  // The neighbour list's radius: dragging the slider (or typing the radius) moves the circle
  // at once and, a moment later, shows the addresses it would take in (nothing is saved).
  function radiusPreview(map, config, layers) {
    const r = config.radius;
    const input = document.getElementById(r.input);
    const slider = document.getElementById(r.slider);
    const status = document.getElementById(r.status);
    const colour = (config.colours || {}).address || "#475569";
    let ring = layers[config.features.findIndex(function (f) { return f.type === "circle"; })];
    if (!ring) {
      ring = L.circle(r.site, { radius: parseInt(slider.value, 10), color: (config.colours || {}).site, weight: 2, fillOpacity: 0.05, interactive: false }).addTo(map);
    }
    const group = L.layerGroup().addTo(map);
    layers.forEach(function (layer, index) {
      if (config.features[index].kind === "address") { map.removeLayer(layer); group.addLayer(layer); }
    });
    let timer = null;
    let asked = 0;
    function preview(value) {
      ring.setRadius(value);
      clearTimeout(timer);
      timer = setTimeout(function () {
        const ticket = ++asked;
        fetch(r.preview + "?radius_m=" + encodeURIComponent(value), { headers: { Accept: "application/json" } })
          .then(function (response) { return response.json(); })
          .then(function (answer) {
            if (ticket !== asked) { return; }
            if (answer.error) { status.textContent = answer.error; return; }
            group.clearLayers();
            answer.points.forEach(function (p) { group.addLayer(L.circleMarker(p, dotStyle("address", colour))); });
            status.textContent = answer.text;
          })
          .catch(function () { /* the circle still shows the radius */ });
      }, 150);
    }
    slider.addEventListener("input", function () {
      input.value = slider.value;
      preview(parseInt(slider.value, 10));
    });
    input.addEventListener("input", function () {
      const value = parseInt(input.value, 10);
      if (value >= parseInt(slider.min, 10) && value <= parseInt(slider.max, 10)) {
        slider.value = value;
        preview(value);
      }
    });
    document.getElementById(r.controls).hidden = false;
  }

  // Clusters loaded from the server for the map's zoom and the filter form (the staff map of
  // concerns): one point per area with its count, reloaded when the map moves or a filter
  // (the period slider included) changes.
  function clusterLayer(map, config) {
    const layer = config.layer;
    const form = document.getElementById(layer.form);
    const colour = (config.colours || {}).concern || "#7c2d12";
    const group = L.layerGroup().addTo(map);
    const shown = layer.shown ? document.getElementById(layer.shown) : null;
    let asked = 0;
    let timer = null;
    let current = null;
    function load() {
      const params = new URLSearchParams(new FormData(form));
      params.set("zoom", map.getZoom());
      // The clusters cover the whole municipality: moving the map without zooming or changing
      // a filter asks for what is already shown (and would make the counts blink).
      const query = params.toString();
      if (query === current) { return; }
      current = query;
      const ticket = ++asked;
      fetch(layer.url + "?" + query, { headers: { Accept: "application/json" } })
        .then(function (response) { return response.json(); })
        .then(function (answer) {
          if (ticket !== asked || !answer.features) { return; }
          group.clearLayers();
          answer.features.forEach(function (feature) {
            const count = feature.properties.count;
            const at = [feature.geometry.coordinates[1], feature.geometry.coordinates[0]];
            const marker = L.circleMarker(at, { radius: Math.min(10 + Math.sqrt(count) * 3, 32), color: "#ffffff", weight: 2, fillColor: colour, fillOpacity: 0.9, interactive: false });
            marker.bindTooltip(String(count), { permanent: true, direction: "center", className: "map__count" });
            group.addLayer(marker);
          });
        })
        .catch(function () { current = null; /* the table beside the map has the same counts */ });
    }
    map.on("moveend", load);
    form.addEventListener("input", function (event) {
      if (shown && event.target.type === "range") { shown.textContent = event.target.value; }
      clearTimeout(timer);
      timer = setTimeout(load, 200);
    });
    load();
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
    const layers = config.features.map(function (feature) { return drawFeature(map, feature, config.colours); });
    if (config.centre) {
      map.setView(config.centre, config.zoom);
    } else if (config.features.length) {
      // From the shapes' own positions: a circle's bounds need a map view, which this sets.
      const bounds = L.latLngBounds([]);
      config.features.forEach(function (feature) {
        const at = L.latLng(feature.lat, feature.lon);
        bounds.extend(feature.type === "circle" ? at.toBounds(feature.radius * 2) : at);
      });
      // Room at the sides for the names written under or over the dots.
      map.fitBounds(bounds, { padding: [80, 40], maxZoom: config.zoom });
    } else {
      map.setView([64.5, 12], 4);
    }
    // Leaflet's container takes focus for the keyboard: give it the map's name.
    element.setAttribute("aria-label", config.label);
    element.setAttribute("role", "application");
    element.setAttribute("aria-roledescription", config.texts.map);
    if (config.picker) { picker(element, map, config); }
    if (config.radius) { radiusPreview(map, config, layers); }
    if (config.layer) { clusterLayer(map, config); }
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
