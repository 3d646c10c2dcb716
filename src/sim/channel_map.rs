//! One value per messaging channel, indexed by [`Channel`] itself.
//!
//! Invariants: a [`ChannelMap`] has exactly one field per [`Channel`] variant, and
//! indexing is an exhaustive `match`, so a new channel is a compile error here rather than
//! an out-of-bounds index somewhere in the engine. Iteration follows [`Channel::ALL`]
//! (palette order), the order in which the engine draws per-channel random numbers.

use std::ops::{Index, IndexMut};

use crate::model::Channel;

/// A `T` for every channel.
#[derive(Clone, Copy, Debug, Default, PartialEq)]
pub struct ChannelMap<T> {
    /// Mobile push.
    pub push: T,
    /// Email.
    pub email: T,
    /// SMS.
    pub sms: T,
    /// WhatsApp.
    pub whatsapp: T,
    /// Web push.
    pub web_push: T,
    /// In-app message.
    pub in_app: T,
    /// App inbox.
    pub app_inbox: T,
    /// Webhook.
    pub webhook: T,
}

impl<T> ChannelMap<T> {
    /// A map whose value for each channel is `f(channel)`; `f` is called in
    /// [`Channel::ALL`] order.
    pub fn from_fn(mut f: impl FnMut(Channel) -> T) -> Self {
        // Struct fields are evaluated in the order written, which is `Channel::ALL`'s.
        Self {
            push: f(Channel::Push),
            email: f(Channel::Email),
            sms: f(Channel::Sms),
            whatsapp: f(Channel::WhatsApp),
            web_push: f(Channel::WebPush),
            in_app: f(Channel::InApp),
            app_inbox: f(Channel::AppInbox),
            webhook: f(Channel::Webhook),
        }
    }

    /// Every channel with its value, in [`Channel::ALL`] order.
    pub fn iter(&self) -> impl Iterator<Item = (Channel, &T)> {
        Channel::ALL.into_iter().map(move |c| (c, &self[c]))
    }
}

impl<T> Index<Channel> for ChannelMap<T> {
    type Output = T;

    fn index(&self, c: Channel) -> &T {
        match c {
            Channel::Push => &self.push,
            Channel::Email => &self.email,
            Channel::Sms => &self.sms,
            Channel::WhatsApp => &self.whatsapp,
            Channel::WebPush => &self.web_push,
            Channel::InApp => &self.in_app,
            Channel::AppInbox => &self.app_inbox,
            Channel::Webhook => &self.webhook,
        }
    }
}

impl<T> IndexMut<Channel> for ChannelMap<T> {
    fn index_mut(&mut self, c: Channel) -> &mut T {
        match c {
            Channel::Push => &mut self.push,
            Channel::Email => &mut self.email,
            Channel::Sms => &mut self.sms,
            Channel::WhatsApp => &mut self.whatsapp,
            Channel::WebPush => &mut self.web_push,
            Channel::InApp => &mut self.in_app,
            Channel::AppInbox => &mut self.app_inbox,
            Channel::Webhook => &mut self.webhook,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::ChannelMap;
    use crate::model::Channel;

    #[test]
    fn every_channel_has_its_own_slot_in_palette_order() {
        let mut order = Vec::new();
        let mut m = ChannelMap::from_fn(|c| {
            order.push(c);
            order.len()
        });
        assert_eq!(order, Channel::ALL);
        for (i, c) in Channel::ALL.into_iter().enumerate() {
            assert_eq!(m[c], i + 1);
            m[c] *= 10;
        }
        let seen: Vec<(Channel, usize)> = m.iter().map(|(c, x)| (c, *x)).collect();
        let want: Vec<(Channel, usize)> = Channel::ALL.into_iter().zip((1..=8).map(|i| i * 10)).collect();
        assert_eq!(seen, want);
    }
}
