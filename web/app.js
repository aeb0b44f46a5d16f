// Broadsheet reader: latest articles, one article with its comments, search.
// Plain ES module, no dependencies, no build step. Every address is a query
// string on this page (/?article=slug, /?q=terms, /?tag=x, /?author=Name), so
// it works from any static host.
//
// Safety rule: API text is inserted with textContent. Only two things are
// inserted as HTML: an article's bodyHtml (sanitised by the API, and again
// here by an allow-list, so a page pointed at another API never shows that
// API's raw HTML) and search highlights (escaped text with <mark>, re-filtered
// here to text and <mark>).

const PAGE_SIZE = 10;
const COMMENTS_PAGE_SIZE = 50;
const SUGGEST_DELAY_MS = 150;

const FIELD_LABELS = { name: 'Name', email: 'Email', website: 'Website', body: 'Comment' };

// ---------------------------------------------------------------------------
// Configuration and addresses

const params = new URLSearchParams(location.search);

function isLoopbackHost(host) {
  return host === 'localhost' || host === '[::1]' || /^127(?:\.\d{1,3}){3}$/.test(host);
}

// apiOverride is the ?api= value, honoured only when both this page and the
// named API are on a loopback origin (a developer testing two local stacks):
// a crafted link can never point a page at a foreign API.
function isLoopbackAPI(v) {
  try {
    const u = new URL(v);
    return (u.protocol === 'http:' || u.protocol === 'https:') && isLoopbackHost(u.hostname) &&
      !u.username && !u.password && !u.search && !u.hash;
  } catch {
    return false;
  }
}

const apiOverride = (() => {
  const v = params.get('api');
  if (!v || !isLoopbackHost(location.hostname) || !isLoopbackAPI(v)) return '';
  return v;
})();

function apiBase() {
  let base = apiOverride;
  if (!base && typeof window.BROADSHEET_API === 'string') base = window.BROADSHEET_API;
  if (!base) base = document.querySelector('meta[name="broadsheet-api"]')?.content?.trim() || '';
  return base.replace(/\/+$/, '');
}

const API = apiBase();

function apiURL(path, query) {
  const qs = query ? new URLSearchParams(Object.entries(query).filter(([, v]) => v !== undefined && v !== null && v !== '')) : null;
  const s = qs && qs.toString();
  return API + path + (s ? '?' + s : '');
}

// The reference page's address: this page, or, on a server-rendered article
// page (/a/{slug}), the home page it names.
const HOME = document.querySelector('meta[name="broadsheet-home"]')?.content || '';

// pageHref builds a link to a view of this page, keeping the ?api= override.
function pageHref(query = {}) {
  const qs = new URLSearchParams();
  for (const [k, v] of Object.entries(query)) if (v) qs.set(k, v);
  if (apiOverride) qs.set('api', apiOverride);
  const s = qs.toString();
  return (HOME || location.pathname) + (s ? '?' + s : '');
}

const articleHref = (slug) => pageHref({ article: slug });

// ---------------------------------------------------------------------------
// HTTP

class APIError extends Error {
  constructor(status, body, headers) {
    const err = (body && body.error) || {};
    super(err.message || `The server answered ${status}.`);
    this.status = status;
    this.code = err.code || '';
    this.fields = err.fields || null;
    this.headers = headers;
  }
}

async function request(path, { query, method = 'GET', body, headers = {}, signal, cache } = {}) {
  const init = { method, headers: { Accept: 'application/json', ...headers }, signal };
  if (cache) init.cache = cache;
  if (body !== undefined) {
    init.headers['Content-Type'] = 'application/json';
    init.body = JSON.stringify(body);
  }
  const res = await fetch(apiURL(path, query), init);
  let data = null;
  const type = res.headers.get('Content-Type') || '';
  if (type.includes('json')) {
    try { data = await res.json(); } catch { data = null; }
  }
  if (!res.ok) throw new APIError(res.status, data, res.headers);
  return { data, headers: res.headers, status: res.status };
}

// ---------------------------------------------------------------------------
// DOM helpers

function el(tag, attrs = {}, ...children) {
  const node = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) {
    if (v === undefined || v === null || v === false) continue;
    if (k === 'class') node.className = v;
    else if (k === 'text') node.textContent = v;
    else if (k === 'hidden') node.hidden = Boolean(v);
    else node.setAttribute(k, v === true ? '' : String(v));
  }
  for (const c of children.flat()) {
    if (c === undefined || c === null || c === false) continue;
    node.append(c instanceof Node ? c : document.createTextNode(String(c)));
  }
  return node;
}

// markedFragment turns API highlight HTML (escaped text with <mark>) into DOM
// without parsing it as HTML: the string is split at <mark> and </mark>, the
// text between is entity-decoded and inserted as text. Anything else that
// looks like a tag stays literal text, so nothing in it can run or load.
const NAMED_ENTITIES = { amp: '&', lt: '<', gt: '>', quot: '"', apos: "'", nbsp: '\u00a0' };

function decodeEntities(s) {
  return s.replace(/&(#x[0-9a-f]{1,6}|#[0-9]{1,7}|[a-z]{2,6});/gi, (m, e) => {
    if (e[0] === '#') {
      const code = e[1] === 'x' || e[1] === 'X' ? parseInt(e.slice(2), 16) : parseInt(e.slice(1), 10);
      return code > 0 && code <= 0x10ffff && !(code >= 0xd800 && code <= 0xdfff) ? String.fromCodePoint(code) : m;
    }
    return NAMED_ENTITIES[e.toLowerCase()] ?? m;
  });
}

function markedFragment(html) {
  const out = document.createDocumentFragment();
  let mark = null;
  for (const part of String(html).split(/(<\/?mark>)/i)) {
    const tag = part.toLowerCase();
    if (tag === '<mark>') {
      mark = document.createElement('mark');
      out.append(mark);
    } else if (tag === '</mark>') {
      mark = null;
    } else if (part) {
      (mark || out).append(decodeEntities(part));
    }
  }
  return out;
}

// sanitisedFragment is the page's own sanitising step for an article's
// bodyHtml. The API already sanitises it (bluemonday's UGC policy); this
// allow-list keeps the page safe even if it is shown another API's HTML.
// DOMParser builds an inert document (no scripts run, nothing loads), and only
// the elements and attributes below are copied out of it; everything else is
// dropped with its subtree when it can carry code (script, style, iframe,
// object, svg, math, template, form...) or unwrapped to its text otherwise.
const SAFE_ELEMENTS = new Set(['a', 'abbr', 'b', 'blockquote', 'br', 'caption', 'cite', 'code', 'dd', 'del', 'dfn',
  'div', 'dl', 'dt', 'em', 'figcaption', 'figure', 'h1', 'h2', 'h3', 'h4', 'h5', 'h6', 'hr', 'i', 'img', 'input', 'ins',
  'kbd', 'li', 'mark', 'ol', 'p', 'pre', 'q', 's', 'samp', 'small', 'span', 'strike', 'strong', 'sub', 'sup',
  'table', 'tbody', 'td', 'tfoot', 'th', 'thead', 'time', 'tr', 'u', 'ul', 'var']);
const DROPPED_WITH_CONTENT = new Set(['script', 'style', 'iframe', 'frame', 'frameset', 'object', 'embed', 'applet',
  'svg', 'math', 'template', 'noscript', 'form', 'textarea', 'select', 'button', 'link', 'meta', 'base', 'title', 'head']);
const SAFE_ATTRIBUTES = {
  '*': new Set(['title', 'lang', 'dir']),
  a: new Set(['href', 'rel']),
  img: new Set(['src', 'alt', 'width', 'height']),
  td: new Set(['colspan', 'rowspan', 'align']),
  th: new Set(['colspan', 'rowspan', 'align', 'scope']),
  ol: new Set(['start', 'reversed']),
  li: new Set(['value']),
  time: new Set(['datetime']),
  input: new Set(['type', 'checked', 'disabled']), // GFM task lists only (checked below)
};

function safeURL(v, schemes) {
  try {
    const u = new URL(v, location.href);
    return schemes.includes(u.protocol) ? u.href : null;
  } catch {
    return null;
  }
}

function sanitisedFragment(html) {
  const doc = new DOMParser().parseFromString(String(html), 'text/html');
  const out = document.createDocumentFragment();
  const copy = (from, to) => {
    for (const n of from.childNodes) {
      if (n.nodeType === Node.TEXT_NODE) {
        to.append(n.data);
        continue;
      }
      if (n.nodeType !== Node.ELEMENT_NODE) continue; // comments, processing instructions
      const tag = n.localName;
      if (n.namespaceURI !== 'http://www.w3.org/1999/xhtml' || DROPPED_WITH_CONTENT.has(tag)) continue;
      if (!SAFE_ELEMENTS.has(tag) || (tag === 'input' && n.getAttribute('type') !== 'checkbox')) {
        copy(n, to); // unwrap: keep the text, lose the element
        continue;
      }
      const e = document.createElement(tag);
      const allowed = SAFE_ATTRIBUTES[tag];
      for (const { name, value } of n.attributes) {
        if (!SAFE_ATTRIBUTES['*'].has(name) && !(allowed && allowed.has(name))) continue;
        if (name === 'href') {
          const href = safeURL(value, ['http:', 'https:', 'mailto:']);
          if (href) e.setAttribute('href', href);
        } else if (name === 'src') {
          const src = safeURL(value, ['https:', 'http:']);
          if (src) e.setAttribute('src', src);
        } else {
          e.setAttribute(name, value);
        }
      }
      if (tag === 'a' && e.hasAttribute('href')) e.setAttribute('rel', 'nofollow noopener noreferrer');
      if (tag === 'input') e.setAttribute('disabled', '');
      copy(n, e);
      to.append(e);
    }
  };
  copy(doc.body, out);
  return out;
}

const dateFormat = new Intl.DateTimeFormat('en-GB', { day: 'numeric', month: 'long', year: 'numeric', timeZone: 'UTC' });
const dateTimeFormat = new Intl.DateTimeFormat('en-GB', {
  day: 'numeric', month: 'long', year: 'numeric', hour: '2-digit', minute: '2-digit', timeZone: 'UTC', timeZoneName: 'short',
});

function timeEl(iso, withTime = false) {
  if (!iso) return null;
  const d = new Date(iso);
  if (Number.isNaN(d.getTime())) return null;
  return el('time', { datetime: iso, title: dateTimeFormat.format(d) }, (withTime ? dateTimeFormat : dateFormat).format(d));
}

const announcer = () => document.getElementById('announcer');

function announce(message) {
  const a = announcer();
  // Clear first so that repeating the same message is announced again.
  a.textContent = '';
  setTimeout(() => { a.textContent = message; }, 50);
}

function setTitle(title) {
  document.title = title ? `${title} — Broadsheet` : 'Broadsheet — latest news';
}

function view() { return document.getElementById('view'); }

function showView(...children) {
  const v = view();
  v.replaceChildren(...children);
  v.removeAttribute('aria-busy');
}

function errorView(title, message) {
  setTitle(title);
  showView(el('section', { class: 'notice' },
    el('h1', { text: title }),
    el('p', { text: message }),
    el('p', {}, el('a', { href: pageHref() }, 'Back to the latest articles'))));
}

function explain(err) {
  if (err instanceof APIError) return err.message;
  return 'The news service could not be reached. Check your connection and try again.';
}

function authorLink(name) {
  return name ? el('a', { href: pageHref({ author: name }), class: 'author-link' }, name) : null;
}

function tagList(tags, label = 'Tags') {
  if (!tags || tags.length === 0) return null;
  return el('ul', { class: 'tags', 'aria-label': label },
    tags.map((t) => el('li', {}, el('a', { href: pageHref({ tag: t }), class: 'tag' }, t))));
}

function safeWebsite(url) {
  if (!url) return '';
  try {
    const u = new URL(url);
    return u.protocol === 'http:' || u.protocol === 'https:' ? u.href : '';
  } catch {
    return '';
  }
}

// loadMoreButton appends pages until nextCursor is null; focus moves to the
// first new item so keyboard users continue where they were.
function loadMoreButton(label, next, fetchPage, appendItems) {
  let cursor = next;
  const button = el('button', { type: 'button', class: 'load-more' }, label);
  button.hidden = !cursor;
  button.addEventListener('click', async () => {
    button.disabled = true;
    button.setAttribute('aria-busy', 'true');
    try {
      const page = await fetchPage(cursor);
      const first = appendItems(page.items || []);
      cursor = page.nextCursor || null;
      button.hidden = !cursor;
      if (first) first.focus();
    } catch (err) {
      announce(explain(err));
    } finally {
      button.disabled = false;
      button.removeAttribute('aria-busy');
    }
  });
  return button;
}

// ---------------------------------------------------------------------------
// Article lists (home, tag, author)

function summaryItem(a) {
  const item = el('li', { class: 'teaser', dir: 'auto' });
  const heading = el('h2', { class: 'teaser-title' }, el('a', { href: articleHref(a.slug) }, a.title));
  const meta = el('p', { class: 'meta' },
    a.author?.name ? ['By ', authorLink(a.author.name)] : null,
    a.author?.name && a.publishedAt ? el('span', { class: 'sep', 'aria-hidden': 'true' }, ' · ') : null,
    timeEl(a.publishedAt),
    a.commentCount > 0 ? [el('span', { class: 'sep', 'aria-hidden': 'true' }, ' · '),
      el('a', { href: articleHref(a.slug) + '#comments' }, `${a.commentCount} comment${a.commentCount === 1 ? '' : 's'}`)] : null);
  item.append(heading);
  if (a.summary) item.append(el('p', { class: 'summary', text: a.summary }));
  item.append(meta);
  const tags = tagList(a.tags);
  if (tags) item.append(tags);
  return item;
}

async function renderList() {
  const tag = params.get('tag') || '';
  const author = params.get('author') || '';
  let title = 'Latest';
  if (tag) title = `Tagged “${tag}”`;
  if (author) title = `By ${author}`;
  setTitle(tag || author ? title : '');

  const fetchPage = async (cursor) => (await request('/articles', { query: { limit: PAGE_SIZE, cursor, tag, author } })).data;
  let page;
  try {
    page = await fetchPage(null);
  } catch (err) {
    errorView('Something went wrong', explain(err));
    return;
  }
  const list = el('ol', { class: 'teasers', id: 'article-list' });
  const append = (items) => {
    let first = null;
    for (const a of items) {
      const li = summaryItem(a);
      list.append(li);
      first ||= li.querySelector('a');
    }
    return first;
  };
  append(page.items || []);
  const header = el('header', { class: 'section-head' }, el('h1', { text: title }));
  if (tag || author) header.append(el('p', {}, el('a', { href: pageHref() }, 'All articles')));
  const children = [header];
  if (!page.items || page.items.length === 0) {
    children.push(el('p', { class: 'empty', text: 'No articles yet.' }));
  } else {
    children.push(list, loadMoreButton('More articles', page.nextCursor, fetchPage, append));
  }
  showView(el('section', { class: 'listing', 'aria-labelledby': 'list-title' }, ...children));
  header.querySelector('h1').id = 'list-title';
}

// ---------------------------------------------------------------------------
// Search results

function resultItem(r) {
  const titleLink = el('a', { href: articleHref(r.slug) });
  titleLink.append(r.highlights?.title ? markedFragment(r.highlights.title) : document.createTextNode(r.title));
  const item = el('li', { class: 'teaser result', dir: 'auto' }, el('h2', { class: 'teaser-title' }, titleLink));
  const snippet = el('p', { class: 'summary' });
  if (r.highlights?.snippet) snippet.append(markedFragment(r.highlights.snippet));
  else if (r.summary) snippet.textContent = r.summary;
  if (snippet.childNodes.length) item.append(snippet);
  item.append(el('p', { class: 'meta' },
    r.author?.name ? ['By ', authorLink(r.author.name)] : null,
    r.author?.name && r.publishedAt ? el('span', { class: 'sep', 'aria-hidden': 'true' }, ' · ') : null,
    timeEl(r.publishedAt)));
  return item;
}

async function renderSearch(q) {
  setTitle(`Search: ${q}`);
  const input = document.getElementById('search-input');
  if (input) input.value = q;
  const fetchPage = async (cursor) => (await request('/search', {
    query: { q, limit: PAGE_SIZE, cursor, tag: params.get('tag'), author: params.get('author') },
  })).data;
  let page;
  try {
    page = await fetchPage(null);
  } catch (err) {
    errorView('Search failed', err instanceof APIError && err.status === 400 ? err.message : explain(err));
    return;
  }
  const items = page.items || [];
  const list = el('ol', { class: 'teasers results', id: 'search-results' });
  let shown = 0;
  const count = el('p', { class: 'result-count', id: 'result-count' });
  const updateCount = (more) => {
    count.textContent = shown === 0 ? 'No articles match your search.'
      : `${shown} result${shown === 1 ? '' : 's'}${more ? ' so far' : ''}`;
    announce(shown === 0 ? `No results for ${q}` : `${shown} result${shown === 1 ? '' : 's'} for ${q}`);
  };
  const append = (rs) => {
    let first = null;
    for (const r of rs) {
      const li = resultItem(r);
      list.append(li);
      first ||= li.querySelector('a');
    }
    shown += rs.length;
    return first;
  };
  append(items);
  const more = loadMoreButton('More results', page.nextCursor, async (c) => {
    const p = await fetchPage(c);
    setTimeout(() => updateCount(Boolean(p.nextCursor)));
    return p;
  }, append);
  updateCount(Boolean(page.nextCursor));
  const heading = el('h1', { id: 'list-title' }, 'Search results for ', el('q', { text: q }));
  const tips = el('p', { class: 'search-tips' },
    'Tip: put words in quotes for an exact phrase (', el('kbd', { text: '"peace talks"' }),
    ') and a minus sign before a word to leave it out (', el('kbd', { text: 'talks -cricket' }), ').');
  // A phrase query's page can come back empty while later candidates remain.
  const hasMore = items.length > 0 || Boolean(page.nextCursor);
  showView(el('section', { class: 'listing search-results', 'aria-labelledby': 'list-title' },
    el('header', { class: 'section-head' }, heading, count, tips),
    hasMore ? list : null, hasMore ? more : null));
}

// ---------------------------------------------------------------------------
// One article

// rtlLanguage: languages written right to left (their usual script), by the
// primary subtag of a BCP 47 tag, unless the tag names another script.
const RTL_LANGUAGES = new Set(['ar', 'arc', 'ckb', 'dv', 'fa', 'he', 'ks', 'ku', 'ps', 'sd', 'syr', 'ug', 'ur', 'yi']);
function rtlLanguage(tag) {
  const parts = String(tag).toLowerCase().split('-');
  if (parts.some((p) => p === 'latn' || p === 'cyrl')) return false;
  return parts.includes('arab') || parts.includes('hebr') || RTL_LANGUAGES.has(parts[0]);
}

// leadImage is the article's lead image as the server-rendered page shows
// it: its box reserved from width/height (or style.css's default ratio), the
// credit as caption. Only https images are shown, the rule the API applies.
function leadImage(image) {
  if (!image || typeof image.url !== 'string' || !image.url.startsWith('https://')) return null;
  const size = Number.isInteger(image.width) && Number.isInteger(image.height) && image.width > 0 && image.height > 0
    ? { width: image.width, height: image.height } : {};
  return el('figure', { class: 'lead-image' },
    el('img', { src: image.url, alt: image.alt || '', ...size, decoding: 'async', fetchpriority: 'high' }),
    image.credit ? el('figcaption', { class: 'credit', text: image.credit }) : null);
}

async function renderArticle(slug) {
  let article;
  try {
    article = (await request('/articles/' + encodeURIComponent(slug))).data;
  } catch (err) {
    if (err instanceof APIError && (err.status === 404 || err.status === 400)) {
      errorView('Article not found', 'This article does not exist or is no longer available.');
    } else {
      errorView('Something went wrong', explain(err));
    }
    return;
  }
  setTitle(article.title);
  const description = document.querySelector('meta[name="description"]');
  if (description && article.summary) description.content = article.summary;

  const body = el('div', { class: 'story-body' });
  body.append(sanitisedFragment(article.bodyHtml || ''));

  const byline = el('p', { class: 'byline' },
    article.author?.name ? ['By ', authorLink(article.author.name)] : null,
    article.author?.name && article.publishedAt ? el('span', { class: 'sep', 'aria-hidden': 'true' }, ' · ') : null,
    timeEl(article.publishedAt));
  if (article.updatedAt && article.publishedAt && article.updatedAt > article.publishedAt) {
    byline.append(el('span', { class: 'updated' }, ' (updated ', timeEl(article.updatedAt), ')'));
  }

  const kicker = article.tags && article.tags.length
    ? el('p', { class: 'kicker' }, el('a', { href: pageHref({ tag: article.tags[0] }) }, article.tags[0])) : null;

  const footer = el('footer', { class: 'story-footer' });
  if (article.author?.name) {
    const bio = el('section', { class: 'author-bio', 'aria-labelledby': 'author-bio-title' },
      el('h2', { id: 'author-bio-title', class: 'small-head' }, 'About the author'),
      el('p', { class: 'author-name' }, authorLink(article.author.name)));
    if (article.author.bio) bio.append(el('p', { class: 'bio', text: article.author.bio }));
    footer.append(bio);
  }
  const tags = tagList(article.tags, 'Topics');
  if (tags) footer.append(el('div', { class: 'topics' }, el('h2', { class: 'small-head' }, 'Topics'), tags));

  // The article's own language and direction (an Urdu story on an English
  // site reads right to left); without one, the page's.
  const langAttrs = article.lang ? { lang: article.lang, dir: rtlLanguage(article.lang) ? 'rtl' : 'ltr' } : {};
  const story = el('article', { class: 'story', 'aria-labelledby': 'story-title', ...langAttrs },
    el('header', { class: 'story-head' },
      kicker,
      el('h1', { id: 'story-title', text: article.title }),
      article.summary ? el('p', { class: 'standfirst', text: article.summary }) : null,
      byline),
    body, footer);

  const comments = commentsSection(article);
  const figure = leadImage(article.image);
  if (figure) body.before(figure);
  showView(story, comments.section);
  await comments.load();
  if (location.hash === '#comments') comments.section.scrollIntoView();
}

// ---------------------------------------------------------------------------
// Comments

function uuid() {
  if (crypto.randomUUID) return crypto.randomUUID(); // secure contexts (https, localhost)
  const b = crypto.getRandomValues(new Uint8Array(16));
  b[6] = (b[6] & 0x0f) | 0x40;
  b[8] = (b[8] & 0x3f) | 0x80;
  const h = [...b].map((x) => x.toString(16).padStart(2, '0')).join('');
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20)}`;
}

function field({ id, name, label, type = 'text', required = false, autocomplete, multiline = false, maxlength }) {
  const errorId = `${id}-error`;
  const input = multiline
    ? el('textarea', { id, name, rows: 7, required, maxlength })
    : el('input', { id, name, type, required, autocomplete, maxlength });
  const lab = el('label', { for: id }, label, required ? el('span', { class: 'req', 'aria-hidden': 'true' }, ' *') : null);
  const error = el('p', { class: 'field-error', id: errorId, hidden: true });
  return el('div', { class: `field field-${name}` }, lab, input, error);
}

function commentsSection(article) {
  const slug = article.slug;
  let count = 0;
  const heading = el('h2', { id: 'comments-title' }, 'Comments');
  const list = el('ol', { class: 'comment-list', id: 'comment-list' });
  const empty = el('p', { class: 'empty', id: 'no-comments', text: 'No comments yet. Start the conversation.', hidden: true });
  const loadError = el('p', { class: 'form-error', hidden: true });
  const byId = new Map();

  const setCount = () => {
    heading.textContent = count ? `Comments (${count})` : 'Comments';
    empty.hidden = count > 0;
  };

  // --- the form
  const form = el('form', { id: 'comment-form', class: 'comment-form', novalidate: true, 'aria-labelledby': 'comment-form-title' });
  const replying = el('p', { class: 'replying', id: 'replying', hidden: true });
  const status = el('p', { class: 'form-status', id: 'comment-status', role: 'status', 'aria-live': 'polite' });
  const submit = el('button', { type: 'submit', class: 'button-primary' }, 'Post Comment');
  const honeypot = el('div', { class: 'hp', 'aria-hidden': 'true' },
    el('label', { for: 'comment-url2' }, 'Leave this field empty'),
    el('input', { id: 'comment-url2', name: 'url2', type: 'text', tabindex: '-1', autocomplete: 'off', 'aria-hidden': 'true' }));
  form.append(
    el('h3', { id: 'comment-form-title', class: 'form-title' }, 'Leave a Comment'),
    el('p', { class: 'note', id: 'comment-note' }, 'Your email address will not be published. Required fields are marked *'),
    replying,
    field({ id: 'comment-name', name: 'name', label: 'Name', required: true, autocomplete: 'name', maxlength: 100 }),
    field({ id: 'comment-email', name: 'email', label: 'Email', type: 'email', required: true, autocomplete: 'email', maxlength: 254 }),
    field({ id: 'comment-website', name: 'website', label: 'Website', type: 'url', autocomplete: 'url', maxlength: 200 }),
    field({ id: 'comment-body', name: 'body', label: 'Comment', required: true, multiline: true, maxlength: 5000 }),
    // "Notify me of replies": a real checkbox with its own label; the hint
    // says why nothing comes before the email is confirmed.
    el('div', { class: 'field field-notify' },
      el('input', { id: 'comment-notify', name: 'notifyReplies', type: 'checkbox', 'aria-describedby': 'comment-notify-hint' }),
      ' ',
      el('label', { for: 'comment-notify' }, 'Email me when someone replies to this comment'),
      el('p', { class: 'note', id: 'comment-notify-hint' }, 'Once you have confirmed your email address; every email has a one-click unsubscribe link.')),
    honeypot,
    el('div', { class: 'form-actions' }, submit),
    status);
  const closedNote = el('p', { class: 'closed', id: 'comments-closed', hidden: true, text: 'Comments are closed on this article.' });

  let parentId = '';
  const setReply = (comment) => {
    parentId = comment ? comment.id : '';
    replying.replaceChildren();
    replying.hidden = !comment;
    if (comment) {
      const cancel = el('button', { type: 'button', class: 'link-button' }, 'cancel');
      cancel.addEventListener('click', () => { setReply(null); form.elements.body.focus(); });
      replying.append('Replying to ', el('strong', { text: comment.name }), ' — ', cancel);
      form.elements.body.focus();
    }
  };

  const closeComments = () => {
    form.hidden = true;
    closedNote.hidden = false;
    for (const actions of list.querySelectorAll('.comment-actions')) actions.hidden = true;
  };
  if (article.commentsOpen === false) closeComments();

  // --- the list
  const render = (c) => {
    const website = safeWebsite(c.website);
    const name = website
      ? el('a', { href: website, rel: 'nofollow ugc noopener', class: 'comment-author' }, c.name)
      : el('span', { class: 'comment-author' }, c.name);
    const body = el('div', { class: 'comment-body' });
    body.textContent = c.body; // plain text, never HTML
    const replyButton = el('button', { type: 'button', class: 'link-button reply', 'aria-label': `Reply to ${c.name}` }, 'Reply');
    replyButton.addEventListener('click', () => setReply(c));
    const li = el('li', { class: 'comment', id: `comment-${c.id}`, 'data-id': c.id },
      el('article', { 'aria-label': `Comment by ${c.name}`, dir: 'auto' },
        el('header', { class: 'comment-head' }, name, ' ', timeEl(c.createdAt, true)),
        body,
        form.hidden ? null : el('p', { class: 'comment-actions' }, replyButton)),
      el('ol', { class: 'replies' }));
    li.tabIndex = -1;
    return li;
  };
  const add = (c) => {
    if (byId.has(c.id)) return null;
    const li = render(c);
    const parent = c.parentId && byId.get(c.parentId);
    (parent ? parent.querySelector(':scope > .replies') : list).append(li);
    byId.set(c.id, li);
    count++;
    return li;
  };

  // no-cache: revalidate (If-None-Match) so that a reader who reloads sees a
  // comment approved seconds ago, despite the list's short max-age.
  const fetchPage = async (cursor) => (await request(`/articles/${encodeURIComponent(slug)}/comments`, {
    query: { limit: COMMENTS_PAGE_SIZE, cursor }, cache: 'no-cache',
  })).data;
  const moreSlot = el('div', { class: 'more-slot' });
  const appendPage = (items) => {
    let first = null;
    for (const c of items) {
      const li = add(c);
      first ||= li;
    }
    setCount();
    return first;
  };

  const load = async () => {
    try {
      const page = await fetchPage(null);
      appendPage(page.items || []);
      moreSlot.replaceChildren(loadMoreButton('Load more comments', page.nextCursor, fetchPage, appendPage));
    } catch (err) {
      loadError.textContent = `Comments could not be loaded. ${explain(err)}`;
      loadError.hidden = false;
    }
  };

  // --- submission
  const fieldNames = ['name', 'email', 'website', 'body'];
  const clearErrors = () => {
    for (const n of fieldNames) {
      const input = form.elements[n];
      input.removeAttribute('aria-invalid');
      input.removeAttribute('aria-describedby');
      const e = document.getElementById(`${input.id}-error`);
      e.textContent = '';
      e.hidden = true;
    }
    status.classList.remove('is-error', 'is-success');
  };
  const showFieldErrors = (fields) => {
    let first = null;
    for (const [name, message] of Object.entries(fields)) {
      const input = form.elements[name];
      if (!input || !fieldNames.includes(name)) continue;
      const e = document.getElementById(`${input.id}-error`);
      e.textContent = `${FIELD_LABELS[name]} ${message}.`.replace(/\.\.$/, '.');
      e.hidden = false;
      input.setAttribute('aria-invalid', 'true');
      input.setAttribute('aria-describedby', e.id);
      first ||= input;
    }
    return first;
  };
  const say = (message, kind) => {
    status.textContent = message;
    status.classList.toggle('is-error', kind === 'error');
    status.classList.toggle('is-success', kind === 'success');
  };

  // One Idempotency-Key per submission attempt; a retry of the very same
  // payload after a network failure reuses it, so it cannot post twice.
  let unanswered = null; // {key, payload}
  let busy = false;
  form.addEventListener('submit', async (ev) => {
    ev.preventDefault();
    if (busy) return;
    clearErrors();
    const payload = {
      name: form.elements.name.value,
      email: form.elements.email.value,
      body: form.elements.body.value,
    };
    if (form.elements.website.value.trim()) payload.website = form.elements.website.value.trim();
    if (parentId) payload.parentId = parentId;
    if (form.elements.notifyReplies.checked) payload.notifyReplies = true;
    payload.url2 = form.elements.url2.value;
    const serialised = JSON.stringify(payload);
    const key = unanswered && unanswered.payload === serialised ? unanswered.key : uuid();
    unanswered = { key, payload: serialised };

    busy = true;
    submit.disabled = true;
    form.setAttribute('aria-busy', 'true');
    say('Sending your comment…');
    try {
      const { data } = await request(`/articles/${encodeURIComponent(slug)}/comments`, {
        method: 'POST', body: payload, headers: { 'Idempotency-Key': key },
      });
      unanswered = null;
      form.elements.body.value = '';
      if (data && data.status === 'approved') {
        const li = add(data);
        setCount();
        say('Your comment has been published.', 'success');
        if (li) li.scrollIntoView({ block: 'nearest' });
      } else {
        say('Your comment is awaiting moderation. If we have emailed you a link, open it to confirm your comment.', 'success');
      }
      setReply(null);
    } catch (err) {
      if (!(err instanceof APIError)) {
        say('Your comment could not be sent. Check your connection and try again.', 'error');
        return;
      }
      unanswered = null;
      switch (err.status) {
        case 400: {
          const first = err.fields ? showFieldErrors(err.fields) : null;
          if (err.fields && err.fields.parentId) setReply(null);
          say(first ? 'Please correct the marked fields.' : err.message, 'error');
          if (first) first.focus();
          break;
        }
        case 429: {
          const wait = parseInt(err.headers.get('Retry-After') || '', 10);
          say(wait > 0 ? `Please wait ${wait} second${wait === 1 ? '' : 's'} before commenting again.`
            : 'Please wait a moment before commenting again.', 'error');
          break;
        }
        case 409:
          say('You have already posted this comment.', 'error');
          break;
        case 403:
          closeComments();
          announce('Comments are closed on this article.');
          closedNote.focus();
          break;
        case 413:
          say('Your comment is too long.', 'error');
          break;
        case 404:
          say('This article is no longer available for comments.', 'error');
          break;
        default:
          say(`Your comment could not be posted. ${err.message}`, 'error');
      }
    } finally {
      busy = false;
      submit.disabled = false;
      form.removeAttribute('aria-busy');
    }
  });
  closedNote.tabIndex = -1;

  const section = el('section', { class: 'comments', id: 'comments', 'aria-labelledby': 'comments-title' },
    heading, loadError, list, empty, moreSlot, closedNote, form);
  return { section, load };
}

// ---------------------------------------------------------------------------
// Search box with suggestions (ARIA 1.2 combobox with a listbox popup)

function setupSearch() {
  const form = document.getElementById('search-form');
  const input = document.getElementById('search-input');
  const listbox = document.getElementById('search-suggestions');
  if (!form || !input || !listbox) return;
  if (apiOverride) form.append(el('input', { type: 'hidden', name: 'api', value: apiOverride }));

  let items = [];
  let active = -1;
  let timer = 0;
  let controller = null;

  const close = () => {
    listbox.hidden = true;
    input.setAttribute('aria-expanded', 'false');
    input.removeAttribute('aria-activedescendant');
    active = -1;
  };
  const setActive = (i) => {
    const options = listbox.querySelectorAll('[role="option"]');
    options.forEach((o, j) => o.setAttribute('aria-selected', String(j === i)));
    active = i;
    if (i >= 0 && options[i]) {
      input.setAttribute('aria-activedescendant', options[i].id);
      options[i].scrollIntoView({ block: 'nearest' });
    } else {
      input.removeAttribute('aria-activedescendant');
    }
  };
  let leaving = false;
  const pick = (i) => {
    const s = items[i];
    if (!s) return;
    close();
    leaving = true; // a submit from the same Enter key must not override this
    location.assign(articleHref(s.slug));
  };
  const show = (list) => {
    items = list;
    listbox.replaceChildren(...list.map((s, i) => {
      const o = el('li', { role: 'option', id: `suggestion-${i}`, 'aria-selected': 'false', class: 'suggestion' });
      o.textContent = s.title;
      o.addEventListener('mousedown', (e) => e.preventDefault()); // keep focus in the input
      o.addEventListener('click', () => pick(i));
      return o;
    }));
    active = -1;
    input.removeAttribute('aria-activedescendant');
    if (list.length && document.activeElement === input) {
      listbox.hidden = false;
      input.setAttribute('aria-expanded', 'true');
    } else {
      close();
    }
  };
  const suggest = async (q) => {
    if (controller) controller.abort();
    controller = new AbortController();
    const mine = controller;
    try {
      const { data } = await request('/search/suggest', { query: { q }, signal: mine.signal });
      if (mine.signal.aborted || input.value.trim() !== q) return;
      show((data && data.items) || []);
    } catch (err) {
      if (err.name !== 'AbortError' && !mine.signal.aborted) close();
    }
  };

  input.addEventListener('input', () => {
    clearTimeout(timer);
    const q = input.value.trim();
    if (!q) {
      if (controller) controller.abort();
      items = [];
      listbox.replaceChildren();
      close();
      return;
    }
    timer = setTimeout(() => suggest(q.slice(0, 100)), SUGGEST_DELAY_MS);
  });
  input.addEventListener('keydown', (e) => {
    const open = !listbox.hidden && items.length > 0;
    switch (e.key) {
      case 'ArrowDown':
        e.preventDefault();
        if (!open) {
          if (items.length) { listbox.hidden = false; input.setAttribute('aria-expanded', 'true'); setActive(0); }
          return;
        }
        setActive(active + 1 >= items.length ? 0 : active + 1);
        break;
      case 'ArrowUp':
        if (!open) return;
        e.preventDefault();
        setActive(active <= 0 ? items.length - 1 : active - 1);
        break;
      case 'Enter':
        if (open && active >= 0) {
          e.preventDefault();
          pick(active);
        }
        break;
      case 'Escape':
        if (open) {
          e.preventDefault();
          close();
        } else if (input.value) {
          e.preventDefault();
          input.value = '';
        }
        break;
      case 'Home': case 'End':
        if (open && active >= 0) { e.preventDefault(); setActive(e.key === 'Home' ? 0 : items.length - 1); }
        break;
      default:
    }
  });
  input.addEventListener('blur', () => setTimeout(() => { if (document.activeElement !== input) close(); }, 100));
  input.addEventListener('focus', () => {
    if (items.length && input.value.trim()) { listbox.hidden = false; input.setAttribute('aria-expanded', 'true'); }
  });
  form.addEventListener('submit', (e) => {
    const q = input.value.trim();
    e.preventDefault();
    if (leaving) return;
    if (!q) { input.focus(); return; }
    close();
    location.assign(pageHref({ q }));
  });
}

// ---------------------------------------------------------------------------

function fixStaticLinks() {
  for (const a of document.querySelectorAll('a[data-nav="home"]')) a.href = pageHref();
  for (const a of document.querySelectorAll('.site-footer a')) a.href = pageHref();
  const nav = document.querySelector('a[data-nav="home"]:not(.brand)');
  if (nav && !params.get('article') && !params.get('q') && !params.get('tag') && !params.get('author')) {
    nav.setAttribute('aria-current', 'page');
  }
}

// enhanceArticle takes over a server-rendered article page: the article and
// its first comments are already there; the script adds the comment form,
// replies, live counts and later pages of comments.
async function enhanceArticle() {
  const data = JSON.parse(document.getElementById('article-data')?.textContent || '{}');
  const rendered = document.getElementById('comments');
  if (!data.slug || !rendered) return;
  const comments = commentsSection(data);
  rendered.replaceWith(comments.section);
  await comments.load();
  if (location.hash === '#comments') comments.section.scrollIntoView();
}

async function main() {
  if (view().dataset.rendered === 'article') {
    setupSearch();
    await enhanceArticle();
    document.documentElement.dataset.ready = 'true';
    return;
  }
  fixStaticLinks();
  setupSearch();
  const slug = params.get('article');
  const q = (params.get('q') || '').trim();
  view().setAttribute('aria-busy', 'true');
  if (slug) await renderArticle(slug);
  else if (q) await renderSearch(q);
  else await renderList();
  document.documentElement.dataset.ready = 'true';
}

main();
