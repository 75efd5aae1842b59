import { fullWidthText } from '../chat/fullwidth.js';
import type { Dialect } from '../chat/facts.js';

/**
 * WeCom group-bot markdown (群机器人配置说明, markdown 类型): headings, **bold**, [links](url),
 * `inline code`, > quotes, <font color="info|comment|warning">, and <@userid> mentions. Log text
 * goes through the full-width substitution, so none of those can come from a log line.
 */
export const wecomDialect: Dialect = {
  text: fullWidthText,
  bold: (s) => `**${s}**`,
  code: (s) => '`' + s + '`',
};

/** WeCom userids are letters, digits and `_-.@` (the schema checks this; mentions cannot carry markup). */
export const USERID = /^[A-Za-z0-9_.@-]{1,64}$/;
