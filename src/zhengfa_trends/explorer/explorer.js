/* zhengfa-trends explorer: every view reads the one JSON block and the one selection state. */
(function () {
  'use strict';
  var D = JSON.parse(document.getElementById('explorer-data').textContent);
  var FONT = D.provenance.font ? D.provenance.font.family : null;
  var FONT_STACK = (FONT ? '"' + FONT + '", ' : '') + '"Noto Sans CJK SC", "Source Han Sans SC", sans-serif';
  var COLORS = ['#0b6bcb', '#d1495b', '#2a9d8f', '#e9a03b', '#6a4c93', '#8d6e63', '#5c946e', '#c2185b',
    '#455a64', '#ef6c00', '#00838f', '#7cb342'];
  var PLOT_CONFIG = { displaylogo: false, responsive: true, modeBarButtonsToRemove: ['lasso2d', 'select2d'] };
  var LEVEL = Math.round(100 * (D.settings.level || 0.95));

  var state = {
    kind: 'theme',          // what the evidence list is about: 'theme' or 'topic'
    theme: D.themes.names.length ? D.themes.names[0] : null,
    topic: D.topics.list.length ? 0 : null,
    year: null,
    lambda: D.topics.lambda,
    term: null
  };

  // ---------- helpers ----------
  /* Every chart writes its text (axes, legends, hover labels) in the page's embedded font. */
  function withFont(layout) {
    layout.font = { family: FONT_STACK };
    layout.hoverlabel = { font: { family: FONT_STACK } };
    return layout;
  }
  function el(tag, attrs, children) {
    var node = document.createElement(tag);
    Object.keys(attrs || {}).forEach(function (key) {
      if (key === 'text') { node.textContent = attrs[key]; }
      else if (key === 'className') { node.className = attrs[key]; }
      else if (key.slice(0, 2) === 'on') { node.addEventListener(key.slice(2), attrs[key]); }
      else { node.setAttribute(key, attrs[key]); }
    });
    (children || []).forEach(function (child) {
      node.appendChild(typeof child === 'string' ? document.createTextNode(child) : child);
    });
    return node;
  }
  function clear(node) { while (node.firstChild) { node.removeChild(node.firstChild); } return node; }
  function fmt(value, digits) {
    if (value === null || value === undefined || !isFinite(value)) { return '–'; }
    return Number(value).toFixed(digits === undefined ? 2 : digits);
  }
  function topicById(topic) { return D.topics.list[topic]; }
  function topicName(topic) { var t = topicById(topic); return 'T' + t.id + ' ' + t.label; }
  function seriesKey(kind, key) { return kind === 'theme' ? key : String(key); }
  function escapeRegex(word) { return word.replace(/[.*+?^${}()|[\]\\]/g, '\\$&'); }

  /* The passage text as nodes, every occurrence of ``words`` wrapped in <mark> (longest word first). */
  function highlighted(text, words) {
    var usable = words.filter(function (w) { return w && w.length; })
      .sort(function (a, b) { return b.length - a.length || (a < b ? -1 : 1); });
    var p = el('p');
    if (!usable.length) { p.textContent = text; return p; }
    var pattern = new RegExp(usable.map(escapeRegex).join('|'), 'g');
    var last = 0;
    var match;
    while ((match = pattern.exec(text)) !== null) {
      if (match.index > last) { p.appendChild(document.createTextNode(text.slice(last, match.index))); }
      p.appendChild(el('mark', { text: match[0] }));
      last = match.index + match[0].length;
    }
    if (last < text.length) { p.appendChild(document.createTextNode(text.slice(last))); }
    return p;
  }

  /* One quoted passage: document title, date, facets, what it carries, the text with keywords marked. */
  function passageNode(number, words, note) {
    var record = D.passages[number];
    var doc = D.documents[record[0]];
    var year = doc.date.slice(0, 4);
    var facets = Object.keys(doc.facets).sort().map(function (key) { return key + ': ' + doc.facets[key]; });
    var meta = el('div', { className: 'meta' }, [
      el('b', { text: doc.title || doc.id }), ' · ' + doc.date,
      facets.length ? ' · ' + facets.join(' · ') : '',
      ' · ' + doc.id + ' ¶' + record[1], note ? ' · ' + note : ''
    ]);
    return el('article', { className: 'passage', 'data-year': year, 'data-doc': doc.id }, [
      meta, highlighted(record[2], words)
    ]);
  }

  function keywordsOf(kind, key) {
    if (kind === 'theme') { return D.themes.keywords[key] || []; }
    return relevantTerms(topicById(key), 1.0, 10).map(function (row) { return row.term; });
  }

  // ---------- trend charts ----------
  function yearTicks() {
    return {
      tickvals: D.years,
      ticktext: D.years.map(function (y, i) { return y + '<br>n=' + D.docs_per_year[i]; })
    };
  }

  function traces(kind) {
    var block = kind === 'theme' ? D.themes : D.topics;
    var keys = kind === 'theme' ? D.themes.names : D.topics.list.map(function (t) { return t.topic; });
    return keys.map(function (key, i) {
      var s = block.series[seriesKey(kind, key)];
      var up = s.share.map(function (v, j) { return v === null || s.ci_high[j] === null ? null : s.ci_high[j] - v; });
      var down = s.share.map(function (v, j) { return v === null || s.ci_low[j] === null ? null : v - s.ci_low[j]; });
      var custom = s.share.map(function (v, j) {
        return [fmt(s.ci_low[j], 3), fmt(s.ci_high[j], 3), s.n_docs[j], s.n_passages[j],
          s.n_hits ? s.n_hits[j] : '', key, D.years[j]];
      });
      var extra = kind === 'theme' ? '<br>keyword tokens %{customdata[4]}' : '';
      return {
        type: 'scatter', mode: 'lines+markers', x: D.years, y: s.share,
        name: kind === 'theme' ? key : topicName(key), connectgaps: false,
        line: { color: COLORS[i % COLORS.length], width: 2 },
        marker: {
          color: COLORS[i % COLORS.length], size: 8,
          symbol: s.small_n.map(function (small) { return small ? 'circle-open' : 'circle'; })
        },
        error_y: { type: 'data', array: up, arrayminus: down, visible: true, thickness: 1, width: 3 },
        customdata: custom,
        hovertemplate: '<b>%{fullData.name}</b><br>%{customdata[6]}: %{y:.3f}<br>' + LEVEL +
          ' % interval %{customdata[0]} – %{customdata[1]}<br>documents %{customdata[2]} · passages %{customdata[3]}' +
          extra + '<extra></extra>'
      };
    });
  }

  function drawTrend(kind) {
    var id = kind === 'theme' ? 'theme-chart' : 'topic-chart';
    var ticks = yearTicks();
    var layout = {
      margin: { l: 48, r: 10, t: 10, b: 56 }, hovermode: 'closest', showlegend: true,
      legend: { orientation: 'h', y: -0.28 },
      xaxis: { tickvals: ticks.tickvals, ticktext: ticks.ticktext, range: [D.years[0] - 0.5, D.years[D.years.length - 1] + 0.5] },
      yaxis: { title: { text: kind === 'theme' ? 'per ' + D.settings.per_tokens + ' tokens' : 'share' }, rangemode: 'tozero' },
      shapes: []
    };
    Plotly.newPlot(id, traces(kind), withFont(layout), PLOT_CONFIG);
    document.getElementById(id).on('plotly_click', function (event) {
      var point = event.points[0];
      var key = point.customdata[5];
      select(kind, key, point.x);
    });
  }

  function restyleTrend(kind) {
    var id = kind === 'theme' ? 'theme-chart' : 'topic-chart';
    var keys = kind === 'theme' ? D.themes.names : D.topics.list.map(function (t) { return t.topic; });
    var chosen = kind === 'theme' ? state.theme : state.topic;
    var opacity = keys.map(function (key) { return chosen === null || key === chosen ? 1 : 0.25; });
    var width = keys.map(function (key) { return key === chosen ? 3.5 : 1.5; });
    Plotly.restyle(id, { opacity: opacity, 'line.width': width });
    var shapes = state.year === null ? [] : [{
      type: 'rect', xref: 'x', yref: 'paper', x0: state.year - 0.4, x1: state.year + 0.4, y0: 0, y1: 1,
      fillcolor: '#0b6bcb', opacity: 0.08, line: { width: 0 }
    }];
    Plotly.relayout(id, { shapes: shapes });
  }

  // ---------- year × series grids ----------
  function drawGrid(kind) {
    var holder = clear(document.getElementById(kind === 'theme' ? 'theme-grid' : 'topic-grid'));
    var block = kind === 'theme' ? D.themes : D.topics;
    var keys = kind === 'theme' ? D.themes.names : D.topics.list.map(function (t) { return t.topic; });
    var head = el('tr', {}, [el('th', { text: kind === 'theme' ? 'theme' : 'topic' })]);
    D.years.forEach(function (year, j) {
      var th = el('th', { 'data-col-year': String(year) }, [
        el('button', { 'data-year': String(year), title: 'select ' + year, onclick: function () { selectYear(year); } },
          [String(year)]),
        el('div', { className: 'unit', text: 'n=' + D.docs_per_year[j] })
      ]);
      head.appendChild(th);
    });
    var table = el('table', {}, [head]);
    keys.forEach(function (key) {
      var s = block.series[seriesKey(kind, key)];
      var top = Math.max.apply(null, s.share.map(function (v) { return v || 0; })) || 1;
      var attrs = { title: 'select', onclick: function () { select(kind, key, state.year); } };
      attrs[kind === 'theme' ? 'data-theme' : 'data-topic'] = String(key);
      var row = el('tr', { 'data-key': String(key) }, [
        el('th', {}, [el('button', attrs, [kind === 'theme' ? key : topicName(key)])])
      ]);
      D.years.forEach(function (year, j) {
        var value = s.share[j];
        if (value === null) {
          row.appendChild(el('td', { className: 'empty', text: '–', title: 'no documents in ' + year }));
          return;
        }
        var cell = el('td', {
          className: 'cell' + (s.small_n[j] ? ' small' : ''), 'data-year': String(year), 'data-key': String(key),
          title: (kind === 'theme' ? key : topicName(key)) + ', ' + year + ': ' + fmt(value, 3) + ' [' +
            fmt(s.ci_low[j], 3) + ', ' + fmt(s.ci_high[j], 3) + '], ' + s.n_docs[j] + ' documents',
          onclick: function () { select(kind, key, year); }
        }, [fmt(value, kind === 'theme' ? 2 : 3)]);
        cell.style.background = 'rgba(11,107,203,' + (0.05 + 0.45 * value / top).toFixed(3) + ')';
        row.appendChild(cell);
      });
      table.appendChild(row);
    });
    holder.appendChild(table);
  }

  function markGrid(kind) {
    var holder = document.getElementById(kind === 'theme' ? 'theme-grid' : 'topic-grid');
    var chosen = String(kind === 'theme' ? state.theme : state.topic);
    holder.querySelectorAll('tr[data-key]').forEach(function (row) {
      row.classList.toggle('selected', row.getAttribute('data-key') === chosen);
    });
    holder.querySelectorAll('th[data-col-year]').forEach(function (th) {
      th.classList.toggle('selected', th.getAttribute('data-col-year') === String(state.year));
    });
    holder.querySelectorAll('td.cell').forEach(function (td) {
      td.classList.toggle('current', state.kind === kind && td.getAttribute('data-key') === chosen &&
        td.getAttribute('data-year') === String(state.year));
    });
  }

  function drawPeriods() {
    if (!D.periods) { return; }
    ['themes', 'topics'].forEach(function (part) {
      var block = D.periods[part];
      if (!block || !block.rows.length) { return; }
      var holder = document.getElementById(part === 'themes' ? 'theme-periods' : 'topic-periods');
      var table = el('table', { 'data-periods': part },
        [el('tr', {}, block.columns.map(function (c) { return el('th', { text: c }); }))]);
      block.rows.forEach(function (row) {
        table.appendChild(el('tr', {}, row.map(function (v) {
          return el('td', { text: v === null ? '–' : typeof v === 'number' && !Number.isInteger(v) ? fmt(v, 3) : String(v) });
        })));
      });
      holder.appendChild(el('h3', { text: 'By period' }));
      holder.appendChild(table);
    });
  }

  // ---------- evidence ----------
  function drawEvidence() {
    var title = document.getElementById('evidence-title');
    var holder = clear(document.getElementById('evidence'));
    var key = state.kind === 'theme' ? state.theme : state.topic;
    if (key === null || state.year === null) {
      title.textContent = 'Select a year × theme or year × topic cell above.';
      return;
    }
    var name = state.kind === 'theme' ? key : topicName(key);
    var cells = (state.kind === 'theme' ? D.evidence.themes[key] : D.evidence.topics[String(key)]) || {};
    var rows = cells[String(state.year)] || [];
    title.textContent = name + ' · ' + state.year + ' — ' + (state.kind === 'theme'
      ? 'the passages with the most keyword tokens of the theme'
      : 'the passages that put the most tokens into the topic (θ × tokens)') +
      ' (at most ' + D.evidence.per_cell + ')';
    holder.setAttribute('data-kind', state.kind);
    holder.setAttribute('data-key', String(key));
    holder.setAttribute('data-year', String(state.year));
    if (!rows.length) {
      holder.appendChild(el('p', { className: 'hint', text: 'No passage of ' + state.year + ' carries it.' }));
      return;
    }
    var words = keywordsOf(state.kind, key);
    rows.forEach(function (entry) {
      var note = state.kind === 'theme' ? entry[1] + ' keyword token' + (entry[1] === 1 ? '' : 's')
        : 'θ = ' + fmt(entry[1], 3);
      holder.appendChild(passageNode(entry[0], words, note));
    });
  }

  // ---------- topics ----------
  function relevantTerms(topic, lambda, n) {
    var rows = topic.terms.map(function (term, i) {
      return {
        term: term, count: topic.count[i], inTopic: topic.in_topic[i],
        relevance: lambda * topic.log_phi[i] + (1 - lambda) * (topic.log_phi[i] - topic.log_p[i])
      };
    });
    rows.sort(function (a, b) { return b.relevance - a.relevance || (a.term < b.term ? -1 : 1); });
    return rows.slice(0, n);
  }

  function drawTopicList() {
    var holder = clear(document.getElementById('topic-list'));
    holder.appendChild(el('h3', { text: 'K = ' + D.topics.k + ' topics (stable ids)' }));
    D.topics.list.forEach(function (t) {
      var carried = Object.keys(t.themes).filter(function (name) { return t.themes[name] >= 0.05; })
        .sort(function (a, b) { return t.themes[b] - t.themes[a]; })
        .map(function (name) { return name + ' ' + Math.round(100 * t.themes[name]) + ' %'; });
      holder.appendChild(el('button', {
        className: 'topic-card', 'data-topic-card': String(t.topic),
        onclick: function () { select('topic', t.topic, state.year); }
      }, [
        el('b', { text: 'T' + t.id + ' ' + t.label }),
        el('div', { className: 'meta', text: 'stability across seeds ' + fmt(t.stability, 2) + ' · ' +
          fmt(t.tokens, 0) + ' tokens' + (carried.length ? ' · carries ' + carried.join(', ') : '') })
      ]));
    });
  }

  function markTopicList() {
    document.querySelectorAll('.topic-card').forEach(function (card) {
      var t = topicById(Number(card.getAttribute('data-topic-card')));
      card.classList.toggle('selected', t.topic === state.topic);
      card.classList.toggle('carries', state.theme !== null && (t.themes[state.theme] || 0) >= 0.2);
    });
  }

  function drawTopicDetail() {
    if (state.topic === null) { return; }
    var t = topicById(state.topic);
    document.getElementById('topic-title').textContent = 'T' + t.id + ' ' + t.label;
    document.getElementById('topic-meta').textContent = 'stable id ' + t.id + ' (' + (t.status || 'first run') +
      '; topic ' + t.topic + ' of the chosen K = ' + D.topics.k + ' model) · stability across seeds ' +
      fmt(t.stability, 3) + ' · about ' + fmt(t.tokens, 0) + ' tokens';
    document.getElementById('lambda-value').textContent = fmt(state.lambda, 2);
    var rows = relevantTerms(t, state.lambda, 20).reverse();
    var terms = rows.map(function (r) { return r.term; });
    Plotly.react('topic-terms-chart', [
      { type: 'bar', orientation: 'h', name: 'corpus count', y: terms, x: rows.map(function (r) { return r.count; }),
        marker: { color: '#c9d3dd' }, hovertemplate: '%{y}: %{x} in the corpus<extra></extra>' },
      { type: 'bar', orientation: 'h', name: 'estimated in topic (φ × topic tokens)', y: terms,
        x: rows.map(function (r) { return r.inTopic; }), marker: { color: '#d1495b' },
        customdata: rows.map(function (r) { return fmt(r.relevance, 3); }),
        hovertemplate: '%{y}: %{x:.1f} in the topic · relevance %{customdata}<extra></extra>' }
    ], withFont({
      barmode: 'overlay', margin: { l: 110, r: 10, t: 10, b: 40 }, height: 460,
      legend: { orientation: 'h', y: -0.08 }, yaxis: { automargin: true }
    }), PLOT_CONFIG);
    var holder = clear(document.getElementById('topic-themes'));
    var names = Object.keys(t.themes).sort(function (a, b) { return t.themes[b] - t.themes[a]; });
    var table = el('table', {}, [el('tr', {}, [el('th', { text: 'theme' }),
      el('th', { text: 'share of its keyword tokens carried by this topic' })])]);
    names.forEach(function (name) {
      table.appendChild(el('tr', {}, [
        el('th', {}, [el('button', { className: 'chip', onclick: function () { select('theme', name, state.year); } }, [name])]),
        el('td', { text: Math.round(100 * t.themes[name]) + ' %' })]));
    });
    holder.appendChild(el('h3', { text: 'Themes it carries' }));
    holder.appendChild(table);
  }

  // ---------- terms ----------
  var termIndex = {};
  D.terms.terms.forEach(function (term, i) { termIndex[term] = i; });

  function g2(a, b, n1, n2) {   /* Dunning's G² of the 2×2 table, as zhengfa_trends.features computes it */
    var total = n1 + n2, term = a + b, rest = total - term;
    function part(o, e) { return o > 0 ? o * Math.log(o / e) : 0; }
    return 2 * (part(a, n1 * term / total) + part(b, n2 * term / total) +
      part(n1 - a, n1 * rest / total) + part(n2 - b, n2 * rest / total));
  }

  function termStats(term) {
    var i = termIndex[term];
    var counts = D.terms.counts[i];
    var totals = D.terms.year_tokens;
    var grand = totals.reduce(function (s, v) { return s + v; }, 0);
    var all = counts.reduce(function (s, v) { return s + v; }, 0);
    return D.term_years.map(function (year, j) {
      var a = counts[j], b = all - a, n1 = totals[j], n2 = grand - n1;
      var over = n2 > 0 && a / n1 > b / n2;
      return {
        year: year, count: a, per10k: n1 ? 1e4 * a / n1 : null,
        g2: n2 > 0 && n1 > 0 ? g2(a, b, n1, n2) : null, over: over,
        logRatio: a > 0 && n2 > 0 ? Math.log2((a / n1) / ((b > 0 ? b : 0.5) / n2)) : null
      };
    });
  }

  function showTerm(term) {
    if (!(term in termIndex)) {
      document.getElementById('term-title').textContent = '“' + term + '” is not among the corpus terms';
      return;
    }
    state.term = term;
    var stats = termStats(term);
    document.getElementById('term-title').textContent = term + ' — yearly frequency (per 10,000 tokens)';
    Plotly.react('term-chart', [{
      type: 'bar', x: stats.map(function (s) { return s.year; }), y: stats.map(function (s) { return s.per10k; }),
      marker: { color: '#2a9d8f' }, customdata: stats.map(function (s) { return [s.count, fmt(s.g2, 2)]; }),
      hovertemplate: '%{x}: %{y:.2f} per 10k (%{customdata[0]} times) · G² %{customdata[1]}<extra></extra>'
    }], withFont({
      margin: { l: 48, r: 10, t: 10, b: 40 }, height: 260,
      xaxis: { tickvals: D.term_years, range: [D.years[0] - 0.5, D.years[D.years.length - 1] + 0.5] },
      yaxis: { rangemode: 'tozero' }
    }), PLOT_CONFIG);
    var emerging = {};
    (D.emerging[term] || []).forEach(function (row) { emerging[row[0]] = row; });
    var table = el('table', { id: 'term-keyness' }, [el('tr', {}, ['year', 'count', 'per 10k', 'G² (keyness)',
      'log ratio', 'listed as emerging'].map(function (c) { return el('th', { text: c }); }))]);
    stats.forEach(function (s) {
      var signed = s.g2 === null ? '–' : (s.over ? '+' : '−') + fmt(s.g2, 2);
      table.appendChild(el('tr', { 'data-year': String(s.year) }, [
        el('th', { text: String(s.year) }), el('td', { text: String(s.count) }), el('td', { text: fmt(s.per10k, 2) }),
        el('td', { className: 'g2', text: signed }), el('td', { text: fmt(s.logRatio, 2) }),
        el('td', { text: emerging[s.year] ? 'rank ' + emerging[s.year][1] : '' })]));
    });
    var holder = clear(document.getElementById('term-table'));
    holder.appendChild(table);
    holder.appendChild(el('p', { className: 'hint', text: 'G² of the year against all other years (+ over-, − under-represented); log ratio = log2 of the frequency ratio (a zero elsewhere counts as 0.5).' }));
    var first = clear(document.getElementById('term-first'));
    var quoted = D.terms.first[termIndex[term]];
    quoted.forEach(function (number) { first.appendChild(passageNode(number, [term], '')); });
    if (!quoted.length) {
      var year = stats.filter(function (s) { return s.count > 0; })[0];
      first.appendChild(el('p', { className: 'hint', text: 'First found in ' + (year ? year.year : '–') +
        '; the passage is not quoted (the page quotes the earliest ' + D.evidence.max_first_passages +
        ' first-appearance passages).' }));
    }
  }

  function suggest() {
    var query = document.getElementById('term-search').value.trim();
    var holder = clear(document.getElementById('term-suggestions'));
    if (!query) { return; }
    var found = [];
    for (var i = 0; i < D.terms.terms.length && found.length < 20; i++) {
      if (D.terms.terms[i].indexOf(query) >= 0) { found.push(D.terms.terms[i]); }
    }
    found.forEach(function (term) {
      holder.appendChild(el('button', { 'data-term': term, onclick: function () { showTerm(term); } }, [term]));
    });
    if (!found.length) { holder.appendChild(el('span', { className: 'hint', text: 'no term contains “' + query + '”' })); }
  }

  // ---------- selection ----------
  function refresh() {
    restyleTrend('theme');
    restyleTrend('topic');
    markGrid('theme');
    markGrid('topic');
    markTopicList();
    drawTopicDetail();
    drawEvidence();
  }

  function select(kind, key, year) {
    state.kind = kind;
    if (kind === 'theme') { state.theme = key; } else { state.topic = Number(key); }
    if (year !== undefined && year !== null) { state.year = Number(year); }
    refresh();
  }

  function selectYear(year) { state.year = Number(year); refresh(); }

  function peakYear(series) {
    var best = null;
    series.share.forEach(function (v, j) { if (v !== null && (best === null || v > series.share[best])) { best = j; } });
    return best === null ? null : D.years[best];
  }

  function provenance() {
    var p = D.provenance;
    var versions = Object.keys(p.versions).sort().map(function (k) { return k + ' ' + p.versions[k]; });
    var footer = document.getElementById('provenance');
    footer.appendChild(el('div', {}, ['config sha256 ', el('code', { text: p.config_sha256 }),
      ' · chosen K = ' + p.chosen_k]));
    footer.appendChild(el('div', { text: 'corpus: ' + p.documents_included + ' documents included of ' +
      p.documents_listed + ' listed · ' + p.passages + ' passages · ' + p.tokens + ' tokens · years ' +
      D.years[0] + '–' + D.years[D.years.length - 1] }));
    footer.appendChild(el('div', { text: 'software: ' + versions.join(' · ') }));
    if (p.font) {
      footer.appendChild(el('div', { id: 'font-note', text: 'font: ' + p.font.source + ', a subset of ' +
        p.font.characters + ' characters (' + p.font.glyphs + ' glyphs, ' + fmt(p.font.bytes / 1024, 0) +
        ' KiB WOFF) embedded in the page' }));
    }
  }

  function start() {
    document.getElementById('summary').textContent = D.provenance.documents_included + ' documents, ' +
      D.provenance.passages + ' passages, ' + D.years[0] + '–' + D.years[D.years.length - 1] +
      '; intervals are ' + LEVEL + ' % bootstrap intervals.';
    document.getElementById('theme-unit').textContent = '(keyword tokens per ' + D.settings.per_tokens + ' tokens)';
    document.getElementById('min-docs').textContent = String(D.settings.min_docs);
    drawTrend('theme');
    drawTrend('topic');
    drawGrid('theme');
    drawGrid('topic');
    drawPeriods();
    drawTopicList();
    var slider = document.getElementById('lambda');
    slider.value = String(state.lambda);
    slider.addEventListener('input', function () { state.lambda = Number(slider.value); drawTopicDetail(); });
    var search = document.getElementById('term-search');
    search.addEventListener('input', suggest);
    search.addEventListener('keydown', function (event) {
      if (event.key === 'Enter') { showTerm(search.value.trim()); }
    });
    if (state.theme !== null) { state.year = peakYear(D.themes.series[state.theme]); }
    refresh();
    var firstTerm = D.themes.names.length && D.themes.keywords[D.themes.names[0]].filter(function (w) { return w in termIndex; })[0];
    if (firstTerm || D.terms.terms.length) { showTerm(firstTerm || D.terms.terms[0]); }
    provenance();
    document.body.setAttribute('data-ready', 'true');
  }

  /* plotly.js is inlined gzip-compressed and base64-encoded (a third of its size): inflate it with
     the browser's own DecompressionStream and run it as a script of the page (nothing is fetched). */
  function loadPlotly() {
    if (window.Plotly) { return Promise.resolve(); }
    if (typeof DecompressionStream === 'undefined') {
      return Promise.reject(new Error('this browser has no DecompressionStream (Chromium 80, Firefox 113, ' +
        'Safari 16.4 or later is needed to unpack the inline plotly.js)'));
    }
    var text = atob(document.getElementById('plotly-gzip').textContent);
    var bytes = new Uint8Array(text.length);
    for (var i = 0; i < text.length; i++) { bytes[i] = text.charCodeAt(i); }
    var stream = new Blob([bytes]).stream().pipeThrough(new DecompressionStream('gzip'));
    return new Response(stream).text().then(function (code) {
      var script = document.createElement('script');
      script.textContent = code;
      document.head.appendChild(script);
      if (!window.Plotly) { throw new Error('the inline plotly.js did not load'); }
    });
  }

  /* Charts measure their labels when drawn: wait until the embedded font is ready. */
  function loadFont() {
    if (!FONT || !document.fonts) { return Promise.resolve(); }
    return document.fonts.load('14px "' + FONT + '"', '政法').then(function () { return document.fonts.ready; });
  }

  loadPlotly().then(loadFont).then(start).catch(function (error) {
    var message = el('p', { className: 'error', text: 'The explorer could not start: ' + error.message });
    document.body.insertBefore(message, document.body.firstChild);
    document.body.setAttribute('data-ready', 'failed');
    throw error;
  });
}());
