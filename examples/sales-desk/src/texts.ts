import { isDealflowError } from '@dealflow/core';
import type { Blueprint, Rejection } from '@dealflow/core';

/** A text in both languages of the desk. */
export interface Said {
  en: string;
  zh: string;
}

/** Splits a template label `English / 中文` into its two languages (one language: used for both). */
export function bilingual(label: string | undefined, fallback = ''): Said {
  const text = label ?? fallback;
  const cut = text.lastIndexOf(' / ');
  return cut < 0 ? { en: text, zh: text } : { en: text.slice(0, cut), zh: text.slice(cut + 3) };
}

const join = (parts: Said[], sep: Said = { en: ', ', zh: '、' }): Said => ({ en: parts.map((p) => p.en).join(sep.en), zh: parts.map((p) => p.zh).join(sep.zh) });

/** A field's label in both languages. */
export function fieldLabel(bp: Blueprint, field: string): Said {
  return bilingual(bp.spec.fields[field]?.label, field);
}

/** A stage's label in both languages. */
export function stageLabel(bp: Blueprint, stage: string): Said {
  return bilingual(bp.stages.get(stage)?.label, stage);
}

/** Why a move was refused, said as a person would, in English and Chinese. */
export function explainRejection(bp: Blueprint, r: Rejection): Said {
  const to = r.to ? stageLabel(bp, r.to) : null;
  const from = stageLabel(bp, r.stage);
  switch (r.reason) {
    case 'required_fields': {
      const f = join(r.missingFields.map((x) => fieldLabel(bp, x)));
      return { en: `Fill in ${f.en} first${to ? ` to move it to ${to.en}` : ''}.`, zh: `${to ? `进入「${to.zh}」前` : ''}请先填写：${f.zh}。` };
    }
    case 'guard': {
      const f = r.missingFields.length ? join(r.missingFields.map((x) => fieldLabel(bp, x))) : null;
      return {
        en: `The process does not allow this move yet${to ? ` to ${to.en}` : ''}: its condition is not met${f ? ` (check ${f.en})` : ''}.`,
        zh: `流程条件未满足，暂不能${to ? `进入「${to.zh}」` : '执行此操作'}${f ? `（请检查：${f.zh}）` : ''}。`,
      };
    }
    case 'forbidden':
      return { en: 'You may not do this on this record.', zh: '您无权对此记录执行此操作。' };
    case 'approval_pending':
      return { en: `This needs your manager's approval; the request has been sent.`, zh: '此操作需主管审批，已提交审批。' };
    case 'requirements': {
      const items = r.missingRequirements?.checklist ?? [];
      if (items.length === 0) return { en: 'Add the note or documents this step asks for first.', zh: '请先补充此步骤要求的备注或附件。' };
      const f = join(items.map((c) => bilingual(c.label, c.id)));
      return { en: `Tick ${f.en} on the checklist first${to ? ` to move it to ${to.en}` : ''}.`, zh: `${to ? `进入「${to.zh}」前` : ''}请先勾选检查项：${f.zh}。` };
    }
    case 'final_stage':
      return { en: `It is already closed (${from.en}).`, zh: `该记录已关闭（${from.zh}）。` };
    case 'no_transition':
    default:
      return { en: `It cannot go ${to ? `to ${to.en}` : 'there'} from ${from.en}.`, zh: `不能从「${from.zh}」${to ? `直接进入「${to.zh}」` : '执行此操作'}。` };
  }
}

/** An engine error, said plainly (the code stays for programs). */
export function explainError(e: unknown): { code: string; said: Said; status: number } {
  if (isDealflowError(e, 'FORBIDDEN')) return { code: 'FORBIDDEN', status: 403, said: { en: 'You may not do this.', zh: '您无权执行此操作。' } };
  if (isDealflowError(e, 'NOT_FOUND')) return { code: 'NOT_FOUND', status: 404, said: { en: 'No such record (or you may not see it).', zh: '记录不存在或无权查看。' } };
  if (isDealflowError(e, 'CONFLICT')) return { code: 'CONFLICT', status: 409, said: { en: 'Someone changed it a moment ago; reload and try again.', zh: '记录刚被他人修改，请刷新后重试。' } };
  if (isDealflowError(e, 'DUPLICATE')) return { code: 'DUPLICATE', status: 409, said: { en: 'This looks like a duplicate of an existing record.', zh: '与已有记录重复。' } };
  if (isDealflowError(e, 'REJECTED')) return { code: 'REJECTED', status: 422, said: { en: `A linked record blocks this: ${e.message}`, zh: `关联记录阻止了此操作：${e.message}` } };
  if (isDealflowError(e)) return { code: e.code, status: 400, said: { en: e.message, zh: e.message } };
  throw e;
}
