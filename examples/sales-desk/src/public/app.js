// The sales desk page: plain ES modules, no build step. Every action is a call to the server,
// which runs it through the engine as the signed-in user; the page only hides what the server
// would refuse anyway.

const TEXTS = {
  en: {
    desk: 'Sales desk', agenda: 'My day', board: 'Board', pool: 'Public pool', manager: 'Manager', process: 'Process', import: 'Import', signout: 'Sign out',
    overdue: 'Overdue tasks', dueToday: 'Due today', deadlinesToday: 'Stage deadlines today', dates: 'Dates today', myOpen: 'My open records', approvals: 'Waiting for your approval',
    nothing: 'Nothing here.', left: 'left', late: 'late', owner: 'Owner', amount: 'Amount', stage: 'Stage', fields: 'Fields', items: 'Line items', addItem: 'Add line',
    product: 'Product', quantity: 'Quantity', discount: 'Discount %', next: 'Next steps', fill: 'Fill in and continue', activities: 'Log an activity', type: 'Type', subject: 'Subject', note: 'Note',
    log: 'Log', tasks: 'Tasks', addTask: 'Add task', title: 'Title', due: 'Due', done: 'Done', links: 'Linked records', history: 'History', approve: 'Approve', reject: 'Reject',
    pendingApproval: 'Waiting for approval', claim: 'Claim', instalments: 'Split into instalments', count: 'Instalments', firstDue: 'First due date', create: 'Create',
    payment: 'Record a payment', paidOn: 'Paid on', reference: 'Reference', record: 'Record', forecast: 'This quarter’s forecast', quota: 'Quota and attainment by rep', rep: 'Rep',
    closed: 'Won so far', attainment: 'Attainment', pacing: 'Pacing', pHit: 'P(quota)', leaderboard: 'Leaderboard', won: 'Won', winRate: 'Win rate', breaches: 'SLA breaches',
    overdueInstalments: 'Overdue instalments', outstanding: 'Outstanding', dueDate: 'Due date', ageing: 'Receivables ageing', handover: 'Hand over a departing rep’s records',
    from: 'From', to: 'To', thePool: 'the public pool', run: 'Run', diagram: 'Diagram', findings: 'Lint findings', noFindings: 'No findings.', whatIf: 'What if a deadline changed?',
    within: 'New limit (ISO duration, e.g. P7D)', preview: 'Preview', csv: 'CSV file of leads', upload: 'Import', refusedRows: 'Refused rows', line: 'Line', code: 'Code', reason: 'Reason',
    created: 'created', refused: 'refused', moved: 'Moved to', saved: 'Saved', when: 'When', who: 'Who', what: 'What', recordType: 'Record type', deadline: 'Deadline',
    mapping: 'Columns read: Name, Company, Email, Phone, Region, Product, Need, Source', noForecast: 'Not enough history for a forecast yet', expected: 'Expected to close this quarter',
    event: 'Event', checklist: 'Checklist', checklistFor: 'Tick before', reassign: 'Reassign to', assign: 'Reassign',
    quotaAmount: 'Quota', badges: 'Badges and streaks', callStreak: 'Call streak (working days)', callsWeek: 'Calls, last 7 days', badgesEarned: 'Badges', streakGoal: 'calls a day for', days: 'days',
  },
  zh: {
    desk: '销售工作台', agenda: '我的一天', board: '看板', pool: '公海', manager: '主管', process: '流程', import: '导入', signout: '退出',
    overdue: '逾期任务', dueToday: '今日到期', deadlinesToday: '今日阶段时限', dates: '今日日程', myOpen: '我的进行中记录', approvals: '待您审批',
    nothing: '暂无。', left: '剩余', late: '已超时', owner: '负责人', amount: '金额', stage: '阶段', fields: '字段', items: '报价明细', addItem: '添加明细',
    product: '产品', quantity: '数量', discount: '折扣%', next: '下一步', fill: '填写后继续', activities: '记录跟进', type: '类型', subject: '主题', note: '备注',
    log: '记录', tasks: '任务', addTask: '添加任务', title: '标题', due: '到期', done: '完成', links: '关联记录', history: '历史', approve: '批准', reject: '驳回',
    pendingApproval: '待审批', claim: '认领', instalments: '拆分回款期次', count: '期数', firstDue: '首期到期日', create: '创建',
    payment: '登记回款', paidOn: '回款日期', reference: '流水号', record: '登记', forecast: '本季度预测', quota: '各销售指标完成情况', rep: '销售',
    closed: '已赢单', attainment: '完成率', pacing: '进度', pHit: '达成概率', leaderboard: '排行榜', won: '赢单', winRate: '赢率', breaches: '超时记录',
    overdueInstalments: '逾期回款', outstanding: '未收金额', dueDate: '到期日', ageing: '应收账龄', handover: '离职交接',
    from: '移交人', to: '接收人', thePool: '公海', run: '执行', diagram: '流程图', findings: '检查结果', noFindings: '未发现问题。', whatIf: '如果修改时限会怎样？',
    within: '新时限（ISO 时长，如 P7D）', preview: '预览', csv: '线索 CSV 文件', upload: '导入', refusedRows: '被拒绝的行', line: '行', code: '代码', reason: '原因',
    created: '已创建', refused: '被拒绝', moved: '已移至', saved: '已保存', when: '时间', who: '操作人', what: '内容', recordType: '记录类型', deadline: '时限',
    mapping: '读取的列：Name, Company, Email, Phone, Region, Product, Need, Source', noForecast: '历史数据不足，暂无预测', expected: '预计本季度成交',
    event: '操作', checklist: '检查清单', checklistFor: '执行前请勾选', reassign: '改派给', assign: '改派',
    quotaAmount: '指标', badges: '勋章与连续达标', callStreak: '连续通话天数（工作日）', callsWeek: '近7天通话', badgesEarned: '勋章', streakGoal: '次通话/天，连续', days: '天',
  },
};

let lang = localStorage.getItem('desk.lang') ?? 'en';
const t = (key) => TEXTS[lang][key] ?? key;
/** A server text `{ en, zh }` in the current language. */
const say = (s) => (s && typeof s === 'object' ? (s[lang] ?? s.en) : String(s ?? ''));

/** Builds an element: h('div', { class: 'x', onclick }, 'text', child…). Text is never parsed as HTML. */
function h(tag, attrs = {}, ...children) {
  const el = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs ?? {})) {
    if (v === undefined || v === null || v === false) continue;
    if (k.startsWith('on')) el.addEventListener(k.slice(2), v);
    else if (k === 'dataset') Object.assign(el.dataset, v);
    else el.setAttribute(k, v === true ? '' : String(v));
  }
  for (const c of children.flat(Infinity)) if (c !== null && c !== undefined && c !== false) el.append(c instanceof Node ? c : String(c));
  return el;
}

let me = null;
let clockOffset = 0; // server time minus browser time (the server's clock may be a test clock)
const serverNow = () => Date.now() + clockOffset;
const money = (v) => (typeof v === 'number' ? `¥${v.toLocaleString('en-US', { maximumFractionDigits: 2 })}` : '');
const pct = (v) => (typeof v === 'number' ? `${Math.round(v * 100)} %` : '');
const view = document.getElementById('view');
const notice = document.getElementById('notice');

function tell(text, kind = 'info') {
  notice.textContent = text;
  notice.className = kind;
}

/** Tells how a call went: saved, or the server's refusal in plain words. */
const report = (res) => tell(res.ok ? t('saved') : say(res.body.said), res.ok ? 'info' : 'error');

async function call(method, path, body, type = 'application/json') {
  const res = await fetch(path, { method, headers: body === undefined ? {} : { 'content-type': type }, body: body === undefined ? undefined : type === 'application/json' ? JSON.stringify(body) : body });
  if (res.status === 401) {
    location.href = '/signin.html';
    throw new Error('signed out');
  }
  const out = await res.json().catch(() => ({}));
  if (out.now) clockOffset = Date.parse(out.now) - Date.now();
  return { ok: res.ok, status: res.status, body: out };
}
const get = async (path) => (await call('GET', path)).body;

/** A countdown to a deadline; ticks every second (see tick()). */
function countdown(dueAt) {
  if (!dueAt) return '';
  return h('span', { class: 'countdown', dataset: { due: dueAt } }, formatLeft(dueAt));
}
function formatLeft(dueAt) {
  const ms = Date.parse(dueAt) - serverNow();
  const a = Math.abs(ms);
  const d = Math.floor(a / 86_400_000);
  const hh = String(Math.floor((a % 86_400_000) / 3_600_000)).padStart(2, '0');
  const mm = String(Math.floor((a % 3_600_000) / 60_000)).padStart(2, '0');
  const ss = String(Math.floor((a % 60_000) / 1000)).padStart(2, '0');
  const span = `${d > 0 ? `${d}d ` : ''}${hh}:${mm}:${ss}`;
  return ms >= 0 ? `⏱ ${span} ${t('left')}` : `⚠ ${span} ${t('late')}`;
}
function tick() {
  for (const el of document.querySelectorAll('.countdown')) {
    el.textContent = formatLeft(el.dataset.due);
    el.classList.toggle('breached', Date.parse(el.dataset.due) < serverNow());
  }
}
setInterval(tick, 1000);

const section = (title, ...body) => h('section', { class: 'panel' }, h('h2', {}, title), ...body);
const table = (head, rows) => (rows.length === 0 ? h('p', { class: 'muted' }, t('nothing')) : h('table', {}, h('thead', {}, h('tr', {}, head.map((x) => h('th', { scope: 'col' }, x)))), h('tbody', {}, rows.map((r) => h('tr', {}, r.map((c) => h('td', {}, c)))))));
const recordLink = (r) => h('a', { href: `#/record/${encodeURIComponent(r.recordId ?? r.id)}` }, r.recordTitle ?? r.title ?? r.recordId ?? r.id);

// ── views ────────────────────────────────────────────────────────────────────────────────────
const views = {
  async agenda() {
    const a = await get('/api/agenda');
    const taskRows = (rows) => table([t('title'), t('record'), t('due')], rows.map((r) => [r.title, recordLink(r), countdown(r.dueAt)]));
    return [
      h('h1', {}, `${t('agenda')} · ${a.day}`),
      me.manager ? section(t('approvals'), table([t('record'), t('stage')], a.approvals.map((r) => [recordLink(r), say(r.stageLabel)]))) : null,
      section(t('overdue'), taskRows(a.overdue)),
      section(t('dueToday'), taskRows(a.dueToday)),
      section(t('deadlinesToday'), table([t('record'), t('stage'), t('deadline')], a.deadlines.map((r) => [recordLink(r), say(r.stageLabel), countdown(r.dueAt)]))),
      section(t('myOpen'), table([t('record'), t('recordType'), t('stage'), t('amount')], a.open.map((r) => [recordLink(r), r.type, say(r.stageLabel), money(r.amount)]))),
    ];
  },

  async board(type = 'deal') {
    const b = await get(`/api/board?type=${encodeURIComponent(type)}`);
    const picker = h('select', { id: 'board-type', onchange: (e) => (location.hash = `#/board/${e.target.value}`) }, ['deal', 'lead'].map((x) => h('option', { value: x, selected: x === type }, x)));
    const columns = b.stages.map((s) => {
      const cards = b.cards.filter((c) => c.stage === s.id);
      const col = h('section', { class: `column ${s.kind}`, dataset: { stage: s.id }, 'aria-label': say(s.label) },
        h('h2', {}, say(s.label), h('span', { class: 'count' }, ` ${cards.length}`)),
        h('ul', {}, cards.map((c) => h('li', { class: 'card', draggable: 'true', dataset: { id: c.id }, ondragstart: (e) => e.dataTransfer.setData('text/plain', c.id) },
          h('a', { href: `#/record/${encodeURIComponent(c.id)}`, class: 'title' }, c.title),
          h('div', { class: 'meta' }, money(c.amount), ' · ', c.ownerId ?? '—'),
          c.dueAt ? h('div', {}, countdown(c.dueAt)) : null))));
      col.addEventListener('dragover', (e) => e.preventDefault());
      col.addEventListener('drop', async (e) => {
        e.preventDefault();
        const id = e.dataTransfer.getData('text/plain');
        if (id) await move(id, { to: s.id }, () => render());
      });
      return col;
    });
    return [h('h1', {}, say(b.name)), h('label', { for: 'board-type' }, `${t('recordType')} `), picker, h('div', { class: 'board', tabindex: 0, 'aria-label': say(b.name) }, columns)];
  },

  async record(id) {
    const r = await call('GET', `/api/records/${encodeURIComponent(id)}`);
    if (!r.ok) return [h('h1', {}, say(r.body.said))];
    const d = r.body;
    const rec = d.record;
    const refresh = () => render();
    const out = [h('h1', {}, d.title, ' ', h('span', { class: `stage-badge` }, say(d.stageLabel)))];
    out.push(h('p', { class: 'muted' }, `${say(d.blueprint.name)} · ${t('owner')}: ${rec.ownerId ?? t('thePool')} · `, d.deadline ? countdown(d.deadline.dueAt) : '', ' ', say(d.stageDescription)));
    if (d.can.assign) {
      out.push(h('form', { class: 'row', id: 'assign', onsubmit: async (e) => {
        e.preventDefault();
        const res = await call('POST', `/api/records/${encodeURIComponent(id)}/assign`, { to: e.target.elements.to.value });
        report(res);
        refresh();
      } }, h('label', { for: 'assign-to' }, t('reassign')), h('select', { id: 'assign-to', name: 'to' }, d.reps.map((p) => h('option', { value: p.id, selected: p.id === rec.ownerId }, say(p.name)))),
      h('button', { type: 'submit' }, t('assign'))));
    }
    if (d.can.claim) out.push(h('button', { type: 'button', id: 'claim', onclick: async () => { const res = await call('POST', `/api/records/${id}/claim`); report(res); refresh(); } }, t('claim')));
    if (d.pendingApproval) {
      out.push(section(t('pendingApproval'), h('p', {}, `${d.pendingApproval.event} → ${d.pendingApproval.approverIds.join(', ')}`),
        d.can.approve ? h('div', { class: 'row' },
          h('button', { type: 'button', id: 'approve', onclick: async () => { const res = await call('POST', `/api/records/${id}/approve`, {}); report(res); refresh(); } }, t('approve')),
          h('button', { type: 'button', id: 'reject', onclick: async () => { const res = await call('POST', `/api/records/${id}/reject`, {}); report(res); refresh(); } }, t('reject'))) : null));
    }
    // next steps: one button per move this user may make
    if (d.transitions.length > 0) {
      out.push(section(t('next'), h('div', { class: 'row', id: 'transitions' }, d.transitions.map((tr) =>
        h('button', { type: 'button', dataset: { event: tr.event }, class: tr.missing.length || tr.guardPasses === false ? 'secondary' : '', onclick: () => {
          // fields the target stage needs are asked for first (an approval would otherwise hold a move that cannot complete)
          if (tr.missing.length === 0) return move(id, { event: tr.event }, refresh);
          pendingFill = { id, event: tr.event, missing: tr.missing };
          document.getElementById('fill').replaceChildren(fillForm(id, refresh));
          document.getElementById(`fill-${tr.missing[0].field}`).focus();
        } }, say(tr.label)))),
        h('div', { id: 'fill' }, fillForm(id, refresh))));
      // the checklist a move asks for: ticked here, sent with the move, checked by the engine
      checklists = { id, byEvent: new Map(d.transitions.filter((tr) => tr.checklist.length > 0).map((tr) => [tr.event, tr.checklist.map((c) => c.id)])) };
      const withList = d.transitions.filter((tr) => tr.checklist.length > 0);
      if (withList.length > 0) {
        const ticked = tickedFor(id);
        out.push(section(t('checklist'), h('div', { id: 'checklist' }, withList.map((tr) => h('fieldset', { class: 'checklist' },
          h('legend', {}, `${t('checklistFor')}: ${say(tr.label)}`),
          tr.checklist.map((c) => h('label', { class: 'check' },
            h('input', { type: 'checkbox', id: `check-${c.id}`, checked: ticked.has(c.id), onchange: (e) => { if (e.target.checked) ticked.add(c.id); else ticked.delete(c.id); } }),
            ` ${say(c.label)}`)))))));
      }
    }
    // fields, edited inline
    const fieldRows = d.blueprint.fields.filter((f) => f.type !== 'list').map((f) => {
      const value = rec.fields[f.id];
      const inputId = `field-${f.id}`;
      let input;
      if (f.computed || !d.can.edit) input = h('output', { id: inputId }, typeof value === 'number' && f.type === 'money' ? money(value) : String(value ?? ''));
      else if (f.type === 'enum') input = h('select', { id: inputId, name: f.id }, h('option', { value: '' }, '—'), (f.values ?? []).map((v) => h('option', { value: v, selected: v === value }, v)));
      else input = h('input', { id: inputId, name: f.id, value: value ?? '', type: f.type === 'number' || f.type === 'money' ? 'number' : f.type === 'date' ? 'date' : 'text', step: 'any' });
      if (input.tagName !== 'OUTPUT') {
        input.addEventListener('change', async () => {
          const raw = input.value;
          const v = raw === '' ? null : input.type === 'number' ? Number(raw) : raw;
          const res = await call('PATCH', `/api/records/${id}/fields`, { fields: { [f.id]: v } });
          tell(res.ok ? `${t('saved')}: ${say(f.label)}` : say(res.body.said), res.ok ? 'info' : 'error');
          if (res.ok) refresh();
        });
      }
      return [h('label', { for: inputId }, say(f.label)), input];
    });
    out.push(section(t('fields'), h('div', { class: 'fields' }, fieldRows.flat())));
    // line items
    if ('items' in Object.fromEntries(d.blueprint.fields.map((f) => [f.id, f]))) {
      const items = rec.fields.items ?? [];
      out.push(section(t('items'), table([t('product'), t('quantity'), '¥', t('discount'), '='], items.map((i) => [i.name ?? i.product, i.quantity, money(i.unitPrice), i.discountPercent ?? 0, money(i.lineTotal)])),
        d.can.items ? h('form', { class: 'row', id: 'add-item', onsubmit: async (e) => {
          e.preventDefault();
          const f = Object.fromEntries(new FormData(e.target));
          const res = await call('POST', `/api/records/${id}/items`, { product: f.product, quantity: Number(f.quantity), discountPercent: Number(f.discountPercent || 0) });
          report(res);
          refresh();
        } },
        h('label', { for: 'item-product' }, t('product')), h('select', { id: 'item-product', name: 'product' }, d.products.map((p) => h('option', { value: p.id }, say(p.name)))),
        h('label', { for: 'item-qty' }, t('quantity')), h('input', { id: 'item-qty', name: 'quantity', type: 'number', min: 1, value: 1, required: true }),
        h('label', { for: 'item-discount' }, t('discount')), h('input', { id: 'item-discount', name: 'discountPercent', type: 'number', min: 0, max: 100, value: 0 }),
        h('button', { type: 'submit' }, t('addItem'))) : null));
    }
    if (d.can.instalments) {
      out.push(section(t('instalments'), h('form', { class: 'row', id: 'instalments', onsubmit: async (e) => {
        e.preventDefault();
        const f = Object.fromEntries(new FormData(e.target));
        const res = await call('POST', `/api/records/${id}/instalments`, { count: Number(f.count), firstDue: f.firstDue });
        report(res);
        refresh();
      } }, h('label', { for: 'inst-count' }, t('count')), h('input', { id: 'inst-count', name: 'count', type: 'number', min: 1, max: 24, value: 2 }),
      h('label', { for: 'inst-first' }, t('firstDue')), h('input', { id: 'inst-first', name: 'firstDue', type: 'date', required: true, value: new Date(serverNow() + 14 * 86_400_000).toISOString().slice(0, 10) }),
      h('button', { type: 'submit' }, t('create')))));
    }
    if (d.can.payment) {
      out.push(section(t('payment'), h('form', { class: 'row', id: 'payment', onsubmit: async (e) => {
        e.preventDefault();
        const f = Object.fromEntries(new FormData(e.target));
        const res = await call('POST', `/api/records/${id}/payments`, { amount: Number(f.amount), paidOn: f.paidOn, ...(f.reference ? { reference: f.reference } : {}) });
        report(res);
        refresh();
      } }, h('label', { for: 'pay-amount' }, t('amount')), h('input', { id: 'pay-amount', name: 'amount', type: 'number', step: 'any', min: 0, value: rec.fields.outstanding ?? rec.fields.amount }),
      h('label', { for: 'pay-on' }, t('paidOn')), h('input', { id: 'pay-on', name: 'paidOn', type: 'date', required: true, value: new Date(serverNow()).toISOString().slice(0, 10) }),
      h('label', { for: 'pay-ref' }, t('reference')), h('input', { id: 'pay-ref', name: 'reference' }),
      h('button', { type: 'submit' }, t('record')))));
    }
    if (d.can.activity) {
      out.push(section(t('activities'), h('form', { class: 'row', id: 'activity', onsubmit: async (e) => {
        e.preventDefault();
        const f = Object.fromEntries([...new FormData(e.target)].filter(([, v]) => v !== ''));
        const res = await call('POST', `/api/records/${id}/activities`, f);
        report(res);
        refresh();
      } }, h('label', { for: 'act-type' }, t('type')), h('select', { id: 'act-type', name: 'type' }, ['call', 'email', 'meeting', 'visit', 'note'].map((x) => h('option', { value: x }, x))),
      h('label', { for: 'act-subject' }, t('subject')), h('input', { id: 'act-subject', name: 'subject', maxlength: 200 }),
      h('label', { for: 'act-note' }, t('note')), h('input', { id: 'act-note', name: 'note', maxlength: 4000 }),
      h('button', { type: 'submit' }, t('log'))),
      h('h3', {}, t('tasks')),
      table([t('title'), t('due'), ''], d.tasks.map((k) => [k.title, countdown(k.dueAt), h('button', { type: 'button', onclick: async () => { await call('POST', `/api/records/${id}/tasks/${encodeURIComponent(k.id)}/done`); refresh(); } }, t('done'))])),
      h('form', { class: 'row', id: 'task', onsubmit: async (e) => {
        e.preventDefault();
        const f = Object.fromEntries(new FormData(e.target));
        const res = await call('POST', `/api/records/${id}/tasks`, { title: f.title, dueAt: new Date(f.dueAt).toISOString() });
        report(res);
        refresh();
      } }, h('label', { for: 'task-title' }, t('title')), h('input', { id: 'task-title', name: 'title', required: true, maxlength: 200 }),
      h('label', { for: 'task-due' }, t('due')), h('input', { id: 'task-due', name: 'dueAt', type: 'datetime-local', required: true }),
      h('button', { type: 'submit' }, t('addTask')))));
    }
    out.push(section(t('links'), table([t('what'), t('record'), t('stage')], d.links.map((l) => [l.name, recordLink(l), say(l.stageLabel)]))));
    out.push(section(t('history'), h('ol', { class: 'timeline', id: 'history' }, d.history.slice().reverse().map((e) => h('li', {},
      h('time', { datetime: e.at }, e.at.replace('T', ' ').slice(0, 16)), ' ', h('strong', {}, e.actorId ?? ''), ' ',
      e.kind === 'transition' ? `${e.event}: ${say(e.from)} → ${say(e.to)}${e.ticked.length ? ` · ✓ ${e.ticked.map(say).join(', ')}` : ''}` : e.kind === 'activity' ? `${e.data.activity?.type ?? 'activity'}: ${e.data.activity?.subject ?? ''} ${e.data.activity?.note ?? ''}` : e.kind === 'fields' ? `${e.kind}: ${Object.keys(e.data.after ?? e.data.fields ?? e.data).join(', ')}` : e.kind)))));
    return out;
  },

  async pool() {
    const p = await get('/api/pool');
    return [h('h1', {}, t('pool')), table([t('record'), t('recordType'), t('stage'), ''], p.records.map((r) => [recordLink(r), r.type, say(r.stageLabel),
      me.roles.includes('rep') ? h('button', { type: 'button', dataset: { claim: r.id }, onclick: async () => { const res = await call('POST', `/api/records/${r.id}/claim`); report(res); render(); } }, t('claim')) : '']))];
  },

  async manager() {
    const m = await get('/api/manager');
    const nameOf = (id) => say(m.reps.find((r) => r.id === id)?.name ?? id);
    const fan = h('div', { id: 'fan', class: 'fan' });
    if (m.forecast.svg) fan.innerHTML = m.forecast.svg; // rendered by @dealflow/forecast, labels XML-escaped
    else fan.append(h('p', { class: 'muted' }, `${t('noForecast')} (${m.forecast.error})`));
    return [
      h('h1', {}, `${t('manager')} · ${m.quarter}`),
      h('div', { class: 'grid' },
        section(t('forecast'), fan, m.forecast.expected !== null ? h('p', {}, `${t('expected')}: ${money(Math.round(m.forecast.expected))}`) : null),
        section(t('quota'), h('div', { id: 'quota' }, table([t('rep'), t('quotaAmount'), t('closed'), t('attainment'), t('pacing'), t('pHit')], m.forecast.quota.map((q) => [nameOf(q.subject), money(q.amount), money(q.closed), pct(q.attainment), pct(q.pacing), pct(q.pHit)]))))),
      h('div', { class: 'grid' },
        section(t('overdueInstalments'), h('div', { id: 'overdue' }, table([t('record'), t('amount'), t('outstanding'), t('dueDate'), t('owner')], m.overdue.map((i) => [recordLink(i), money(i.amount), money(i.outstanding), i.dueDate, i.ownerId ?? ''])))),
        section(t('ageing'), table(['', t('amount'), '#'], m.ageing.buckets.map((b) => [b.id, money(b.amount), b.count])))),
      h('div', { class: 'grid' },
        section(t('leaderboard'), table(['#', t('rep'), t('won'), t('amount'), t('winRate')], m.leaderboard.map((r) => [r.rank, nameOf(r.owner), r.won, money(r.wonAmount), pct(r.winRate)]))),
        section(t('handover'), h('form', { class: 'row', id: 'handover', onsubmit: async (e) => {
          e.preventDefault();
          const f = Object.fromEntries(new FormData(e.target));
          const res = await call('POST', '/api/handover', f);
          report(res);
          render();
        } }, h('label', { for: 'ho-from' }, t('from')), h('select', { id: 'ho-from', name: 'from' }, m.reps.map((r) => h('option', { value: r.id }, say(r.name)))),
        h('label', { for: 'ho-to' }, t('to')), h('select', { id: 'ho-to', name: 'to' }, [...m.reps.map((r) => h('option', { value: r.id }, say(r.name))), h('option', { value: 'pool' }, t('thePool'))]),
        h('button', { type: 'submit' }, t('run'))))),
      section(t('badges'), h('p', { class: 'muted' }, `${say(m.motivation.streakRule.badge)}: ${m.motivation.streakRule.perDay} ${t('streakGoal')} ${m.motivation.streakRule.days} ${t('days')}`),
        h('div', { id: 'badges' }, table([t('rep'), t('callStreak'), t('callsWeek'), t('badgesEarned')], m.motivation.reps.map((r) => [say(r.name),
          h('span', { class: 'streak', dataset: { rep: r.id } }, `${r.streak} / ${m.motivation.streakRule.days}`), r.callsThisWeek,
          h('ul', { class: 'badges' }, r.badges.map((b) => h('li', { class: 'badge', dataset: { rule: b.rule }, title: b.achievedAt.slice(0, 10) }, `🏅 ${say(b.badge)}`)))])))),
      section(t('breaches'), h('div', { id: 'breaches' }, table([t('when'), t('record'), t('recordType'), t('event'), t('owner')], m.breaches.map((b) => [b.at.replace('T', ' ').slice(0, 16), recordLink(b), b.type, `${say(b.from)} → ${say(b.to)}`, b.ownerId ?? ''])))),
    ];
  },

  async process(type = 'deal') {
    const p = await get(`/api/process?type=${encodeURIComponent(type)}`);
    const picker = h('select', { id: 'process-type', onchange: (e) => (location.hash = `#/process/${e.target.value}`) }, ['lead', 'deal', 'quote', 'contract', 'order', 'payment-plan', 'instalment'].map((x) => h('option', { value: x, selected: x === type }, x)));
    const diagram = h('div', { class: 'diagram', tabindex: 0, role: 'img', 'aria-label': `${t('diagram')}: ${say(p.name)}` });
    diagram.innerHTML = p.svg; // rendered by @dealflow/core (escaped labels)
    const result = h('div', { id: 'what-if-result', role: 'status' });
    const withDeadline = p.stages.filter((s) => s.deadline);
    return [
      h('h1', {}, say(p.name)), h('label', { for: 'process-type' }, `${t('recordType')} `), picker,
      section(t('diagram'), diagram),
      section(t('findings'), p.findings.length === 0 ? h('p', {}, t('noFindings')) : table(['', t('code'), t('reason')], p.findings.map((f) => [f.severity, f.code, `${f.message} — ${f.hint}`]))),
      section(t('whatIf'), h('form', { class: 'row', id: 'what-if', onsubmit: async (e) => {
        e.preventDefault();
        const f = Object.fromEntries(new FormData(e.target));
        const res = await call('POST', '/api/process/what-if', { type, stage: f.stage, within: f.within });
        const c = res.body.change;
        result.textContent = !res.ok || !res.body.ok ? say(res.body.said) : c
          ? `${f.stage}: ${res.body.before} → ${res.body.after} · ${c.records} open: ${c.earlier} earlier, ${c.later} later, ${c.unchanged} unchanged, ${c.overdue} already overdue`
          : `${f.stage}: ${res.body.before} → ${res.body.after} · 0 open`;
      } }, h('label', { for: 'wi-stage' }, t('stage')), h('select', { id: 'wi-stage', name: 'stage' }, withDeadline.map((s) => h('option', { value: s.id }, `${say(s.label)} (${s.deadline})`))),
      h('label', { for: 'wi-within' }, t('within')), h('input', { id: 'wi-within', name: 'within', required: true, value: 'P7D', pattern: 'P.*' }),
      h('button', { type: 'submit' }, t('preview'))), result),
    ];
  },

  async import() {
    const bar = h('progress', { id: 'import-progress', max: 100, value: 0, 'aria-label': t('import') });
    const result = h('div', { id: 'import-result' });
    return [
      h('h1', {}, t('import')),
      section(t('csv'), h('p', { class: 'muted' }, t('mapping')), h('form', { class: 'row', id: 'import', onsubmit: async (e) => {
        e.preventDefault();
        const file = e.target.elements.file.files[0];
        if (!file) return;
        bar.value = 0;
        const res = await call('POST', '/api/import', await file.text(), 'text/csv');
        bar.value = 100;
        if (!res.ok) return tell(say(res.body.said), 'error');
        result.replaceChildren(h('p', {}, `${res.body.created} ${t('created')}, ${res.body.refused} ${t('refused')}`),
          h('h2', {}, t('refusedRows')), table([t('line'), t('code'), t('reason')], res.body.refusedRows.map((r) => [r.line, r.code, r.reason])));
      } }, h('label', { for: 'import-file' }, t('csv')), h('input', { id: 'import-file', name: 'file', type: 'file', accept: '.csv,text/csv' }), h('button', { type: 'submit' }, t('upload'))), bar, result),
    ];
  },
};

/** Checklist items ticked on the record page, by record (kept across live re-renders until the move). */
const ticks = new Map();
const tickedFor = (id) => {
  if (!ticks.has(id)) ticks.set(id, new Set());
  return ticks.get(id);
};
/** The record page's checklists: the item ids each move asks for. */
let checklists = { id: null, byEvent: new Map() };

/** A refused move waiting for the fields it asked for (kept across live re-renders). */
let pendingFill = null;

/** The form asking for the fields a refused move needs; submitting retries the move with them. */
function fillForm(id, done) {
  if (!pendingFill || pendingFill.id !== id) return null;
  const { event, missing } = pendingFill;
  return h('form', { class: 'row', onsubmit: async (e) => {
    e.preventDefault();
    const fields = Object.fromEntries([...new FormData(e.target)].map(([k, v]) => [k, v === '' ? null : Number.isFinite(Number(v)) && v.trim() !== '' && !/^\d{4}-/.test(v) ? Number(v) : v]));
    await move(id, { event, fields }, done);
  } }, missing.map((m) => [h('label', { for: `fill-${m.field}` }, say(m.label)), h('input', { id: `fill-${m.field}`, name: m.field, required: true })]), h('button', { type: 'submit' }, t('fill')));
}

/** Sends a move (an event, or a target stage from drag and drop); a refusal is explained, with a form for missing fields. */
async function move(id, body, done) {
  const items = checklists.id === id && body.event ? checklists.byEvent.get(body.event) : undefined;
  const checklist = items ? items.filter((c) => tickedFor(id).has(c)) : [];
  const res = await call('POST', `/api/records/${encodeURIComponent(id)}/events`, checklist.length ? { ...body, checklist } : body);
  if (res.ok && res.body.ok) {
    pendingFill = null;
    ticks.delete(id);
    tell(`${t('moved')} ${say(res.body.stageLabel)}`);
    return done();
  }
  tell(say(res.body.said), res.status === 202 ? 'info' : 'error');
  pendingFill = res.body.missing?.length ? { id, event: res.body.event, missing: res.body.missing } : null;
  const fill = document.getElementById('fill');
  if (fill && pendingFill) fill.replaceChildren(fillForm(id, done));
  else if (res.status === 202) done();
}

// ── routing, live updates ──────────────────────────────────────────────────────────────────────
let rendering = Promise.resolve();
function render() {
  rendering = rendering.then(async () => {
    const [, name = 'agenda', arg] = location.hash.split('/');
    if (pendingFill && (name !== 'record' || decodeURIComponent(arg ?? '') !== pendingFill.id)) pendingFill = null;
    const fn = views[name] ?? views.agenda;
    const nodes = (await fn(arg ? decodeURIComponent(arg) : undefined)).filter(Boolean);
    // the field the user is in survives the update (same element: its typed value, focus and handlers)
    const active = document.activeElement;
    const keep = active && active.id && view.contains(active) && editing() ? active : null;
    if (keep) for (const n of nodes) n.querySelector?.(`#${CSS.escape(keep.id)}`)?.replaceWith(keep);
    view.replaceChildren(...nodes);
    if (keep && keep.isConnected) keep.focus();
    view.dataset.view = name;
    view.dataset.rendered = String(Date.now());
    for (const a of document.querySelectorAll('#nav a')) a.toggleAttribute('aria-current', a.getAttribute('href') === `#/${name}`);
    tick();
  }).catch((e) => tell(String(e), 'error'));
  return rendering;
}

let pending = null;
let deferred = false;
const editing = () => ['INPUT', 'SELECT', 'TEXTAREA'].includes(document.activeElement?.tagName);
/** Re-reads the page once per burst of changes; never under a user who is typing (then on leaving the field). */
function liveRender() {
  if (editing()) {
    deferred = true;
    return;
  }
  if (pending) return;
  pending = setTimeout(() => { pending = null; render(); }, 80);
}
document.addEventListener('focusout', () => {
  if (!deferred) return;
  deferred = false;
  setTimeout(liveRender, 300); // after the field's own change has been saved
});
function live() {
  const es = new EventSource('/api/live');
  const dot = document.getElementById('live');
  es.addEventListener('hello', (e) => {
    clockOffset = Date.parse(JSON.parse(e.data).now) - Date.now();
    dot.classList.add('on');
    render();
  });
  es.onmessage = (e) => {
    const ev = JSON.parse(e.data);
    clockOffset = Date.parse(ev.now) - Date.now();
    if (ev.type === 'desk.import.progress') {
      const bar = document.getElementById('import-progress');
      if (bar && ev.data.total) bar.value = Math.min(99, Math.round((100 * ev.data.bytes) / ev.data.total));
      return;
    }
    if (ev.actorId && ev.actorId === me.id) return; // our own change: the page showed it when the call answered
    liveRender();
  };
  es.onerror = () => dot.classList.remove('on');
}

function applyLanguage() {
  document.documentElement.lang = lang === 'zh' ? 'zh-CN' : 'en';
  for (const el of document.querySelectorAll('[data-t]')) el.textContent = t(el.dataset.t);
  document.getElementById('lang').textContent = lang === 'zh' ? 'English' : '中文';
}

document.getElementById('lang').addEventListener('click', () => {
  lang = lang === 'zh' ? 'en' : 'zh';
  localStorage.setItem('desk.lang', lang);
  applyLanguage();
  render();
});
document.getElementById('signout').addEventListener('click', async () => {
  await fetch('/api/signout', { method: 'POST' });
  location.href = '/signin.html';
});

me = await get('/api/me');
document.getElementById('me').textContent = me.name;
for (const el of document.querySelectorAll('[data-role="manager"]')) el.hidden = !me.manager;
applyLanguage();
window.addEventListener('hashchange', render);
live();
await render();
