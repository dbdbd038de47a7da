namespace AgentSilo.Web.Browser;

/// <summary>The scripts the environment evaluates in the page.</summary>
public static class PageScripts
{
    /// <summary>The attribute that holds an element's stable id.</summary>
    public const string IdAttribute = "data-agentsilo-id";

    /// <summary>
    /// Lists the visible interactive and text elements (at most <c>max</c>) as a JSON string, giving each one that has no
    /// id yet the next id of this document. An element keeps its id for as long as it stays in the document.
    /// Argument: <c>max</c>. One evaluate per observation.
    /// </summary>
    public const string Observe = """
        (max) => {
          const ATTR = 'data-agentsilo-id';
          if (window.__agentsiloNext === undefined) {
            let m = 0;
            for (const e of document.querySelectorAll('[' + ATTR + ']')) m = Math.max(m, +e.getAttribute(ATTR) || 0);
            window.__agentsiloNext = m + 1;
          }
          const INTERACTIVE_ROLES = new Set(['button','link','checkbox','radio','tab','menuitem','menuitemcheckbox','menuitemradio','option','switch','combobox','textbox','searchbox','slider','spinbutton','listbox','treeitem']);
          const clip = (s) => { s = (s || '').replace(/\s+/g, ' ').trim(); return s.length > 100 ? s.slice(0, 99) + '…' : s; };
          const visible = (e) => {
            if (!e.getClientRects().length) return false;
            const st = getComputedStyle(e);
            return st.visibility !== 'hidden' && st.display !== 'none';
          };
          const interactive = (e) => {
            const t = e.tagName;
            if (t === 'A') return e.hasAttribute('href');
            if (t === 'BUTTON' || t === 'SELECT' || t === 'TEXTAREA' || t === 'SUMMARY') return true;
            if (t === 'INPUT') return e.type !== 'hidden';
            const r = e.getAttribute('role');
            if (r && INTERACTIVE_ROLES.has(r)) return true;
            return e.hasAttribute('onclick') || e.isContentEditable && (!e.parentElement || !e.parentElement.isContentEditable);
          };
          const role = (e) => {
            const r = e.getAttribute('role');
            if (r) return r;
            const t = e.tagName.toLowerCase();
            switch (t) {
              case 'a': return e.hasAttribute('href') ? 'link' : 'text';
              case 'button': case 'summary': return 'button';
              case 'select': return e.multiple || e.size > 1 ? 'listbox' : 'combobox';
              case 'textarea': return 'textbox';
              case 'img': return 'img';
              case 'li': return 'listitem';
              case 'td': return 'cell';
              case 'th': return 'columnheader';
              case 'label': return 'label';
              case 'input': {
                const ty = (e.type || 'text').toLowerCase();
                if (ty === 'checkbox' || ty === 'radio') return ty;
                if (ty === 'button' || ty === 'submit' || ty === 'reset' || ty === 'image') return 'button';
                if (ty === 'number') return 'spinbutton';
                if (ty === 'range') return 'slider';
                if (ty === 'search') return 'searchbox';
                return 'textbox';
              }
            }
            if (/^h[1-6]$/.test(t)) return 'heading';
            return e.isContentEditable ? 'textbox' : 'text';
          };
          const labelOf = (e) => {
            const aria = e.getAttribute('aria-label');
            if (aria) return aria;
            const by = e.getAttribute('aria-labelledby');
            if (by) { const s = by.split(/\s+/).map(i => document.getElementById(i)?.innerText || '').join(' '); if (s.trim()) return s; }
            if (e.labels && e.labels.length) return Array.from(e.labels).map(l => l.innerText).join(' ');
            return e.getAttribute('placeholder') || e.getAttribute('title') || e.getAttribute('name') || '';
          };
          const ownText = (e) => {
            let s = '';
            for (const n of e.childNodes) if (n.nodeType === 3) s += n.nodeValue + ' ';
            return s;
          };
          const out = [];
          const walker = document.createTreeWalker(document.body || document.documentElement, NodeFilter.SHOW_ELEMENT, {
            acceptNode: (e) => {
              const t = e.tagName;
              if (t === 'SCRIPT' || t === 'STYLE' || t === 'NOSCRIPT' || t === 'TEMPLATE' || t === 'HEAD') return NodeFilter.FILTER_REJECT;
              return NodeFilter.FILTER_ACCEPT;
            }
          });
          const inside = [];
          for (let e = walker.currentNode; e && out.length < max; e = walker.nextNode()) {
            if (e.nodeType !== 1) continue;
            while (inside.length && !inside[inside.length - 1].contains(e)) inside.pop();
            const act = interactive(e);
            const tag = e.tagName.toLowerCase();
            let text;
            if (act) {
              const isField = tag === 'input' || tag === 'textarea' || tag === 'select';
              text = isField ? labelOf(e) : (e.innerText || e.getAttribute('aria-label') || e.getAttribute('title') || e.value || '');
              if (tag === 'input' && (e.type === 'checkbox' || e.type === 'radio')) text = labelOf(e) || e.value || '';
            } else if (inside.length) {
              continue; // text inside a listed interactive element is part of its text
            } else if (tag === 'img') {
              text = e.getAttribute('alt') || '';
              if (!text) continue;
            } else {
              text = ownText(e);
              if (!text.trim()) continue;
            }
            if (!visible(e)) continue;
            let id = +e.getAttribute(ATTR);
            if (!id) { id = window.__agentsiloNext++; e.setAttribute(ATTR, String(id)); }
            const o = { id, role: role(e), tag, text: clip(text) };
            if (act) {
              o.interactive = true;
              if (tag === 'input' || tag === 'textarea' || tag === 'select') {
                if (tag === 'input') o.inputType = (e.type || 'text').toLowerCase();
                if (!(tag === 'input' && (e.type === 'checkbox' || e.type === 'radio'))) o.value = e.value ?? '';
              }
              if (tag === 'input' && (e.type === 'checkbox' || e.type === 'radio')) o.checked = e.checked;
              else if (e.hasAttribute('aria-checked')) o.checked = e.getAttribute('aria-checked') === 'true';
              if (e.disabled || e.getAttribute('aria-disabled') === 'true') o.disabled = true;
              if (e.hasAttribute('aria-selected')) o.selected = e.getAttribute('aria-selected') === 'true';
              if (e.hasAttribute('aria-expanded')) o.expanded = e.getAttribute('aria-expanded') === 'true';
              else if (tag === 'summary' && e.parentElement && e.parentElement.tagName === 'DETAILS') o.expanded = e.parentElement.open;
              if (tag === 'select') {
                o.options = Array.from(e.options).map(op => { const t = clip(op.text); return op.value && op.value !== t ? op.value + '=' + t : t; });
              }
              inside.push(e);
            }
            out.push(o);
          }
          return JSON.stringify({ title: document.title || '', elements: out });
        }
        """;
}
