import { fullWidthText } from '../chat/fullwidth.js';
import type { Dialect } from '../chat/facts.js';

/**
 * DingTalk custom-robot markdown (自定义机器人 消息类型: markdown): headings, > quotes, **bold**,
 * *italic*, [links](url), ![images](url), lists, and `@mobile` mentions of the people in
 * `at.atMobiles`. Log text goes through the full-width substitution, so none of those can come
 * from a log line (an `@138…` in a log stays `＠138…` and pings nobody).
 */
export const dingtalkDialect: Dialect = {
  text: fullWidthText,
  bold: (s) => `**${s}**`,
  // No code spans in DingTalk's subset: commands are set apart with quotes.
  code: (s) => `「${s}」`,
};

/** A mobile number for at.atMobiles (the schema checks it, so a mention cannot carry markup). */
export const MOBILE = /^\+?[0-9][0-9-]{4,19}$/;
