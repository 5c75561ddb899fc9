/* global window, document, fetch, Chart, location, setTimeout, clearTimeout, sessionStorage, URLSearchParams */
// The analytics dashboard: signs in (POST /auth/sign-in; the access token
// kept in sessionStorage and sent as a bearer header, the refresh token in an
// HttpOnly cookie the script never sees), stays signed in by exchanging the
// refresh token for a new access token before the old one expires (POST
// /auth/refresh), signs out (POST /auth/sign-out ends the session), reads the
// JSON API and draws it with Chart.js, then redraws itself. What it last drew
// is kept on window.nexusDashboard, so a test can compare the charts with the API.
(function () {
  'use strict';

  var DAY_MS = 86400000;
  var SESSION_KEY = 'nexus.analytics.session';
  var params = new URLSearchParams(location.search);
  var refreshSeconds = Number(params.get('refresh') || document.body.dataset.refreshSeconds) || 15;
  var charts = {};
  var state = (window.nexusDashboard = {
    refreshes: 0,
    sessionRefreshes: 0,
    renderedAt: null,
    series: {},
    tiles: {},
  });
  // Bumped whenever the page leaves the dashboard: a refresh of an older run stops.
  var run = 0;
  // The pending exchange of the refresh token, and the one under way (shared by its callers).
  var renewTimer = null;
  var renewing = null;
  // Renew this long before the access token expires (less when it lives shorter).
  var RENEW_AHEAD_MS = 60000;
  var MIN_RENEW_DELAY_MS = 1000;

  function $(id) {
    return document.getElementById(id);
  }

  /** The signed-in session { accessToken, expiresAt, role }, or null (none, unreadable or expired). */
  function session() {
    var stored;
    try {
      stored = JSON.parse(sessionStorage.getItem(SESSION_KEY) || 'null');
    } catch {
      stored = null;
    }
    if (!stored || typeof stored.accessToken !== 'string') return null;
    if (stored.expiresAt && Date.parse(stored.expiresAt) <= Date.now()) return null;
    return stored;
  }

  /** Shows one of the page's views: 'sign-in', 'denied' or 'dashboard'. */
  function show(view) {
    $('sign-in').hidden = view !== 'sign-in';
    $('denied').hidden = view !== 'denied';
    $('dashboard').hidden = view !== 'dashboard';
    $('summary').hidden = view !== 'dashboard';
    $('error').hidden = true;
    state.view = view;
    if (view !== 'dashboard') state.renderedAt = null;
  }

  function store(body) {
    sessionStorage.setItem(SESSION_KEY, JSON.stringify(body));
    scheduleRenewal(body);
  }

  /** Exchanges the refresh token (the cookie) for a new access token, some time before it expires. */
  function scheduleRenewal(current) {
    clearTimeout(renewTimer);
    var left = Date.parse(current.expiresAt) - Date.now();
    var delay = Math.max(MIN_RENEW_DELAY_MS, left - Math.min(RENEW_AHEAD_MS, left / 5));
    renewTimer = setTimeout(function () {
      renew().catch(function (error) {
        if (error.status === 401) signInForm('Your session has ended. Sign in again.');
      });
    }, delay);
  }

  /** POST /auth/refresh: a new access token, or a rejection with the status (401: signed out). */
  function renew() {
    if (!renewing) {
      renewing = fetch('/auth/refresh', { method: 'POST' })
        .then(function (response) {
          return response.json().then(function (body) {
            if (!response.ok) throw apiError(response.status, body.error ? body.error.message : '');
            state.sessionRefreshes += 1;
            store(body);
            return body;
          });
        })
        .finally(function () {
          renewing = null;
        });
    }
    return renewing;
  }

  /** Ends the session at users (the cookie goes too), then shows the form whatever happened. */
  function signOut() {
    clearTimeout(renewTimer);
    run += 1;
    return fetch('/auth/sign-out', { method: 'POST' }).then(
      function (response) {
        signInForm(response.ok ? '' : 'Signed out here; the session could not be ended at once.');
      },
      function () {
        signInForm('Signed out here; the session could not be ended at once.');
      },
    );
  }

  function signInForm(message) {
    run += 1;
    clearTimeout(renewTimer);
    sessionStorage.removeItem(SESSION_KEY);
    show('sign-in');
    var box = $('sign-in-message');
    box.textContent = message || '';
    box.hidden = !message;
    $('login').focus();
  }

  function denied() {
    run += 1;
    var current = session();
    show('denied');
    $('denied-message').textContent =
      'Analytics needs a manager or admin. You are signed in as a ' +
      (current ? current.role : 'user') +
      '.';
  }

  function isoDay(date) {
    return date.toISOString().slice(0, 10);
  }

  function range() {
    var to = params.get('to') || isoDay(new Date());
    var from = params.get('from') || isoDay(new Date(Date.parse(to + 'T00:00:00Z') - 29 * DAY_MS));
    var days = [];
    for (var t = Date.parse(from + 'T00:00:00Z'); t <= Date.parse(to + 'T00:00:00Z'); t += DAY_MS) {
      days.push(isoDay(new Date(t)));
    }
    return { from: from, to: to, days: days };
  }

  function api(path, query) {
    var current = session();
    if (!current) return Promise.reject(apiError(401, 'not signed in'));
    return fetch('/api/v1/' + path + '?' + new URLSearchParams(query), {
      headers: { Authorization: 'Bearer ' + current.accessToken },
    }).then(function (response) {
      return response.json().then(function (body) {
        if (!response.ok)
          throw apiError(
            response.status,
            path + ': ' + (body.error ? body.error.message : response.status),
          );
        return body;
      });
    });
  }

  function apiError(status, message) {
    var error = new Error(message);
    error.status = status;
    return error;
  }

  /** One value per day of the range, 0 where the API has no row. */
  function perDay(days, rows, figure, filter) {
    var byDay = {};
    rows.forEach(function (row) {
      if (filter && !filter(row)) return;
      byDay[row.day] = (byDay[row.day] || 0) + Number(row[figure]);
    });
    return days.map(function (day) {
      return byDay[day] || 0;
    });
  }

  function sum(values) {
    return values.reduce(function (a, b) {
      return a + b;
    }, 0);
  }

  var COLORS = ['#2563eb', '#16a34a', '#ea580c', '#9333ea', '#0891b2', '#dc2626'];

  function draw(id, type, labels, datasets, options) {
    state.series[id] = {};
    datasets.forEach(function (dataset, i) {
      state.series[id][dataset.label] = dataset.data;
      dataset.backgroundColor = dataset.backgroundColor || COLORS[i % COLORS.length];
      dataset.borderColor = dataset.borderColor || COLORS[i % COLORS.length];
    });
    var config = {
      type: type,
      data: { labels: labels, datasets: datasets },
      options: Object.assign(
        {
          animation: false,
          maintainAspectRatio: false,
          plugins: { legend: { display: datasets.length > 1 } },
          scales: { y: { beginAtZero: true } },
        },
        options || {},
      ),
    };
    if (charts[id]) {
      charts[id].data = config.data;
      charts[id].update();
    } else {
      charts[id] = new Chart(document.getElementById(id), config);
    }
  }

  function tile(id, value) {
    state.tiles[id] = value;
    $('tile-' + id).textContent = String(value);
  }

  function load() {
    var r = range();
    var q = { from: r.from, to: r.to, group_by: 'day' };
    return Promise.all([
      api('events', q),
      api('active-users', q),
      api('documents', q),
      api('emails', q),
      api('chat-messages', q),
      api('tasks', q),
      api('ai-usage', q),
      api('tasks/open', { as_of: r.to }),
      api('status', {}),
    ]).then(function (answers) {
      var labels = r.days.map(function (d) {
        return d.slice(5);
      });
      var usd = function (row) {
        return row.currency === 'USD';
      };
      var events = perDay(r.days, answers[0].rows, 'events');
      var active = perDay(r.days, answers[1].rows, 'activeUsers');
      var created = perDay(r.days, answers[2].rows, 'created');
      var edited = perDay(r.days, answers[2].rows, 'edited');
      var emails = perDay(r.days, answers[3].rows, 'sent');
      var messages = perDay(r.days, answers[4].rows, 'messages');
      var tasksCreated = perDay(r.days, answers[5].rows, 'created');
      var tasksCompleted = perDay(r.days, answers[5].rows, 'completed');
      var tokens = perDay(r.days, answers[6].rows, 'totalTokens');
      var cost = perDay(r.days, answers[6].rows, 'cost', usd);
      var open = answers[7].rows[0] || { open: 0, overdue: 0 };

      state.from = r.from;
      state.to = r.to;
      state.days = r.days;
      draw('events-chart', 'line', labels, [{ label: 'events', data: events, fill: true }]);
      draw('active-users-chart', 'bar', labels, [{ label: 'active users', data: active }]);
      draw('documents-chart', 'bar', labels, [
        { label: 'created', data: created },
        { label: 'edited', data: edited },
      ]);
      draw('comms-chart', 'line', labels, [
        { label: 'emails sent', data: emails },
        { label: 'chat messages', data: messages },
      ]);
      draw('tasks-chart', 'bar', labels, [
        { label: 'created', data: tasksCreated },
        { label: 'completed', data: tasksCompleted },
      ]);
      draw(
        'ai-chart',
        'bar',
        labels,
        [
          { label: 'tokens', data: tokens, yAxisID: 'y' },
          { label: 'cost (USD)', data: cost, type: 'line', yAxisID: 'cost' },
        ],
        {
          scales: {
            y: { beginAtZero: true, position: 'left' },
            cost: { beginAtZero: true, position: 'right', grid: { drawOnChartArea: false } },
          },
        },
      );

      tile('events', sum(events));
      tile('active-users', Math.max.apply(null, active.concat([0])));
      tile('documents-created', sum(created));
      tile('emails-sent', sum(emails));
      tile('chat-messages', sum(messages));
      tile('tasks-completed', sum(tasksCompleted));
      tile('open-tasks', open.open + ' (' + open.overdue + ')');
      tile('ai-tokens', sum(tokens));
      tile('ai-cost', sum(cost).toFixed(2));

      document.getElementById('range').textContent = r.from + ' to ' + r.to;
      document.getElementById('lag').textContent = String(answers[8].consumerLag);
      document.getElementById('updated').textContent =
        new Date().toISOString().slice(11, 19) + ' UTC';
      document.getElementById('error').hidden = true;
      state.refreshes += 1;
      state.renderedAt = new Date().toISOString();
    });
  }

  /** Draws, then again every refreshSeconds, until the page leaves the dashboard. */
  function loop(mine) {
    if (mine !== run) return;
    load().then(
      function () {
        setTimeout(loop, refreshSeconds * 1000, mine);
      },
      function (error) {
        if (mine !== run) return;
        // Expired or revoked: renew once with the refresh token, else sign in again.
        if (error.status === 401) {
          return renew().then(
            function () {
              if (mine === run) loop(mine);
            },
            function () {
              if (mine === run) signInForm('Your session has ended. Sign in again.');
            },
          );
        }
        if (error.status === 403) return denied();
        var box = $('error');
        box.textContent = String(error.message || error);
        box.hidden = false;
        setTimeout(loop, refreshSeconds * 1000, mine);
      },
    );
  }

  function startDashboard() {
    run += 1;
    var current = session();
    show('dashboard');
    $('role').textContent = current.role;
    scheduleRenewal(current);
    loop(run);
  }

  var SIGN_IN_FAILED = {
    401: 'Wrong login or password.',
    503: 'The users service is unavailable. Try again shortly.',
  };

  $('sign-in-form').addEventListener('submit', function (event) {
    event.preventDefault();
    var button = $('sign-in-button');
    var box = $('sign-in-message');
    button.disabled = true;
    box.hidden = true;
    fetch('/auth/sign-in', {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify({ login: $('login').value, password: $('password').value }),
    })
      .then(function (response) {
        return response.json().then(function (body) {
          if (response.ok) return body;
          throw new Error(
            SIGN_IN_FAILED[response.status] ||
              (body.error ? body.error.message : 'Sign-in failed (' + response.status + ').'),
          );
        });
      })
      .then(
        function (body) {
          $('password').value = '';
          store(body);
          startDashboard();
        },
        function (error) {
          box.textContent = String(error.message || error);
          box.hidden = false;
        },
      )
      .then(function () {
        button.disabled = false;
      });
  });

  $('sign-out').addEventListener('click', signOut);
  $('switch-user').addEventListener('click', signOut);

  // A new tab or a token past its expiry: the cookie may still hold a session.
  if (session()) startDashboard();
  else
    renew().then(startDashboard, function () {
      signInForm();
    });
})();
