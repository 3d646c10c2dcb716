//! Rendered lengths against a channel's limits, for the message preview: SMS segments
//! (GSM-7 or UCS-2), and the title and body lengths past which push notifications are cut
//! off on most devices.
//!
//! Invariant: lengths count what the channel counts (GSM-7 septets, UTF-16 units for
//! UCS-2 SMS, characters elsewhere), never bytes.

use crate::model::Channel;

/// Characters of a push (or web push) title shown before most devices cut it off.
pub const PUSH_TITLE_CHARS: usize = 65;
/// Characters of a push (or web push) body shown before most devices cut it off.
pub const PUSH_BODY_CHARS: usize = 240;
/// Septets of a single GSM-7 SMS; a longer message is split into segments of 153.
pub const SMS_GSM_SINGLE: usize = 160;
/// Septets per segment of a multi-part GSM-7 SMS.
pub const SMS_GSM_PART: usize = 153;
/// UTF-16 units of a single UCS-2 SMS; a longer message is split into segments of 67.
pub const SMS_UCS2_SINGLE: usize = 70;
/// UTF-16 units per segment of a multi-part UCS-2 SMS.
pub const SMS_UCS2_PART: usize = 67;

/// The GSM 03.38 basic character set (one septet each).
const GSM_BASIC: &str = "@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞÆæßÉ !\"#¤%&'()*+,-./0123456789:;<=>?¡ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÑÜ§¿abcdefghijklmnopqrstuvwxyzäöñüà";
/// The GSM 03.38 extension table (two septets each: an escape and the character).
const GSM_EXTENDED: &str = "^{}\\[~]|€\u{c}";

/// How an SMS is encoded.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum SmsEncoding {
    /// Every character is in the GSM 7-bit alphabet.
    Gsm7,
    /// Some character is not: the whole message goes as UCS-2.
    Ucs2,
}

/// An SMS text's length in its encoding's units, its encoding and how many segments it takes.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct SmsLength {
    /// Septets (GSM-7) or UTF-16 units (UCS-2).
    pub units: usize,
    /// The encoding.
    pub encoding: SmsEncoding,
    /// Segments (0 for an empty text).
    pub segments: usize,
}

/// Measures an SMS text.
#[must_use]
pub fn sms_length(text: &str) -> SmsLength {
    let mut septets = 0usize;
    let mut gsm = true;
    for c in text.chars() {
        if GSM_BASIC.contains(c) {
            septets += 1;
        } else if GSM_EXTENDED.contains(c) {
            septets += 2;
        } else {
            gsm = false;
            break;
        }
    }
    let (units, single, part, encoding) = if gsm {
        (septets, SMS_GSM_SINGLE, SMS_GSM_PART, SmsEncoding::Gsm7)
    } else {
        (text.encode_utf16().count(), SMS_UCS2_SINGLE, SMS_UCS2_PART, SmsEncoding::Ucs2)
    };
    let segments = match units {
        0 => 0,
        n if n <= single => 1,
        n => n.div_ceil(part),
    };
    SmsLength { units, encoding, segments }
}

/// One line about a rendered field's length.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct LengthNote {
    /// What it says ("Title 23 / 65 characters").
    pub text: String,
    /// Whether the field is past its channel's limit (or takes more than one SMS).
    pub over: bool,
}

/// The length notes of a rendered message on a channel: the SMS segments, or a push
/// title and body against what devices show. Other channels have none.
#[must_use]
pub fn length_notes(channel: Channel, title: &str, body: &str) -> Vec<LengthNote> {
    match channel {
        Channel::Sms => {
            let l = sms_length(body);
            let (enc, single, part) = match l.encoding {
                SmsEncoding::Gsm7 => ("GSM-7", SMS_GSM_SINGLE, SMS_GSM_PART),
                SmsEncoding::Ucs2 => ("UCS-2", SMS_UCS2_SINGLE, SMS_UCS2_PART),
            };
            let s = if l.segments == 1 { "" } else { "s" };
            vec![LengthNote {
                text: format!(
                    "Body {} characters, {} SMS segment{s} ({enc}: {single} in one message, {part} per segment when \
                     longer)",
                    l.units, l.segments
                ),
                over: l.segments > 1,
            }]
        }
        Channel::Push | Channel::WebPush => {
            let note = |what: &str, text: &str, limit: usize| {
                let n = text.chars().count();
                LengthNote { text: format!("{what} {n} / {limit} characters"), over: n > limit }
            };
            vec![note("Title", title, PUSH_TITLE_CHARS), note("Body", body, PUSH_BODY_CHARS)]
        }
        _ => Vec::new(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sms_segments_follow_gsm7_and_ucs2() {
        assert_eq!(sms_length("").segments, 0);
        let l = sms_length(&"a".repeat(160));
        assert_eq!((l.units, l.encoding, l.segments), (160, SmsEncoding::Gsm7, 1));
        assert_eq!(sms_length(&"a".repeat(161)).segments, 2);
        assert_eq!(sms_length(&"a".repeat(306)).segments, 2);
        assert_eq!(sms_length(&"a".repeat(307)).segments, 3);
        // € takes two septets.
        assert_eq!(sms_length(&format!("{}€", "a".repeat(158))).units, 160);
        assert_eq!(sms_length(&format!("{}€", "a".repeat(159))).segments, 2);
        // One character outside GSM-7 makes the whole message UCS-2.
        let l = sms_length(&format!("{}✓", "a".repeat(69)));
        assert_eq!((l.units, l.encoding, l.segments), (70, SmsEncoding::Ucs2, 1));
        assert_eq!(sms_length(&format!("{}✓", "a".repeat(70))).segments, 2);
        // An emoji is two UTF-16 units.
        assert_eq!(sms_length("😀").units, 2);
    }

    #[test]
    fn push_notes_flag_long_titles() {
        let notes = length_notes(Channel::Push, &"t".repeat(66), "body");
        assert_eq!(notes[0], LengthNote { text: "Title 66 / 65 characters".into(), over: true });
        assert_eq!(notes[1], LengthNote { text: "Body 4 / 240 characters".into(), over: false });
        assert!(length_notes(Channel::Email, "x", "y").is_empty());
        let sms = length_notes(Channel::Sms, "", &"a".repeat(200));
        assert!(sms[0].over && sms[0].text.starts_with("Body 200 characters, 2 SMS segments (GSM-7"), "{sms:?}");
    }
}
