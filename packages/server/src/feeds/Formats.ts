/**
 * Text formats of the feeds: XML escaping, RFC 822 dates for RSS, and iCalendar (RFC 5545)
 * text escaping, date-times and line folding.
 */

/** Escapes text for XML element content and attribute values. */
export const xmlEscape = (text: string) =>
  text
    // eslint-disable-next-line no-control-regex
    .replace(/[\u0000-\u0008\u000b\u000c\u000e-\u001f\ufffe\uffff]/g, "")
    .replace(/&/g, "&amp;")
    .replace(/</g, "&lt;")
    .replace(/>/g, "&gt;")
    .replace(/"/g, "&quot;")
    .replace(/'/g, "&apos;")

/** An RSS `pubDate`: RFC 822 with a four-digit year, in GMT. */
export const rfc822 = (date: Date) => date.toUTCString()

/** Escapes an iCalendar TEXT value. */
export const icalEscape = (text: string) =>
  text
    .replace(/\\/g, "\\\\")
    .replace(/;/g, "\\;")
    .replace(/,/g, "\\,")
    .replace(/\r\n|\r|\n/g, "\\n")
    // eslint-disable-next-line no-control-regex
    .replace(/[\u0000-\u0008\u000b-\u001f\u007f]/g, "")

/** An iCalendar UTC date-time such as `20261014T083000Z`. */
export const icalDateTime = (date: Date) =>
  date
    .toISOString()
    .replace(/\.\d{3}/, "")
    .replace(/[-:]/g, "")

/**
 * Folds a content line to at most 75 octets per line, continuing with CRLF and a space, and
 * never splitting a UTF-8 character.
 */
export const icalFold = (line: string) => {
  const parts: Array<string> = []
  let current = ""
  let octets = 0
  for (const character of line) {
    const size = Buffer.byteLength(character, "utf8")
    const limit = parts.length === 0 ? 75 : 74
    if (octets + size > limit) {
      parts.push(current)
      current = ""
      octets = 0
    }
    current += character
    octets += size
  }
  parts.push(current)
  return parts.join("\r\n ")
}
