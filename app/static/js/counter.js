/* Refresh a public counter every 30 seconds from the public totals API, without
   reloading the page. The page is complete without this script (a <noscript> meta
   refresh reloads it instead). No cookies are sent; motion is skipped for readers who
   ask for reduced motion. */
(function () {
  "use strict";

  var counter = document.querySelector(".counter[data-totals-url]");
  if (!counter || !window.fetch) {
    return;
  }
  var PERIOD = 30000;
  var STEPS = [1, 10, 100, 1000, 10000]; /* as app/worldmap.py shades */
  var reduced = window.matchMedia && window.matchMedia("(prefers-reduced-motion: reduce)");
  var lang = document.documentElement.lang || undefined;
  var numbers = new Intl.NumberFormat(lang);
  var plurals = window.Intl && Intl.PluralRules ? new Intl.PluralRules(lang) : null;

  function isOne(count) {
    return plurals ? plurals.select(count) === "one" : count === 1;
  }
  var url = counter.getAttribute("data-totals-url");
  var threshold = parseInt(counter.getAttribute("data-threshold"), 10) || 0;
  var shownTotal = null;

  function find(selector) {
    return counter.querySelector(selector);
  }

  function setText(selector, text) {
    var element = find(selector);
    if (element && element.textContent !== text) {
      element.textContent = text;
    }
  }

  function countTo(element, from, to) {
    /* No motion when asked for none, nor in a hidden tab (it may get no frames). */
    if (from === null || from === to || (reduced && reduced.matches) || document.hidden) {
      element.textContent = numbers.format(to);
      return;
    }
    var start = null;
    var duration = 1200;
    function frame(now) {
      if (start === null) {
        start = now;
      }
      var t = Math.min(1, (now - start) / duration);
      var eased = 1 - Math.pow(1 - t, 3);
      element.textContent = numbers.format(Math.round(from + (to - from) * eased));
      if (t < 1) {
        window.requestAnimationFrame(frame);
      }
    }
    window.requestAnimationFrame(frame);
    var big = element.parentNode;
    big.classList.remove("changed");
    void big.offsetWidth; /* restart the highlight */
    big.classList.add("changed");
  }

  function shadeOf(count) {
    var level = 0;
    for (var i = 0; i < STEPS.length; i++) {
      if (count >= STEPS[i]) {
        level = i + 1;
      }
    }
    return level;
  }

  function shadeMap(byCountry) {
    var shapes = document.querySelectorAll("svg.worldmap [data-country]");
    for (var i = 0; i < shapes.length; i++) {
      var shape = shapes[i];
      var level = shadeOf(byCountry[shape.getAttribute("data-country")] || 0);
      var classes = shape.tagName.toLowerCase() === "circle" ? ["small-country"] : [];
      if (level) {
        classes.push("shade-" + level);
      }
      shape.setAttribute("class", classes.join(" "));
    }
  }

  function update(body) {
    var hidden = body.total < threshold;
    find(".counter-figures").hidden = hidden;
    var line = hidden
      ? counter.getAttribute("data-line-hidden")
      : counter
          .getAttribute(isOne(body.total) ? "data-line-one" : "data-line-many")
          .replace("{n}", numbers.format(body.total));
    setText("[data-line]", line);
    if (hidden) {
      return;
    }
    var total = find("[data-total]");
    if (shownTotal !== body.total) {
      countTo(total, shownTotal, body.total);
      shownTotal = body.total;
    }
    var countries = find(".counter-countries");
    if (countries) {
      var sentence = countries.getAttribute(
        isOne(body.countries) ? "data-countries-one" : "data-countries-many"
      );
      setText(".counter-countries", sentence.replace("{n}", numbers.format(body.countries)));
    }
    if (body.goal) {
      var goalLine = find("[data-goal-line]");
      if (goalLine) {
        var percent = numbers.format(Math.round((100 * body.total) / body.goal));
        setText("[data-goal-line]", goalLine.getAttribute("data-goal-line").replace("{p}", percent));
      }
      var fill = find(".progress-fill");
      if (fill) {
        fill.setAttribute("width", String(1000 * Math.min(1, body.total / body.goal)));
      }
      setText(".progress title", numbers.format(body.total) + " of " + numbers.format(body.goal));
    }
    shadeMap(body.by_country || {});
  }

  function refresh() {
    window
      .fetch(url, {
        credentials: "omit",
        cache: "no-cache",
        headers: { Accept: "application/json" },
      })
      .then(function (response) {
        return response.ok ? response.json() : null;
      })
      .then(function (body) {
        if (body) {
          update(body);
        }
      })
      .catch(function () {
        /* offline for a moment: try again at the next tick */
      });
  }

  var first = find("[data-total]");
  if (first) {
    shownTotal = parseInt(first.textContent.replace(/\D/g, ""), 10);
    if (isNaN(shownTotal)) {
      shownTotal = null;
    }
  }
  window.setInterval(refresh, PERIOD);
})();
