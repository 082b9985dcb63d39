//! The organisation using Floorready, as its header and certificates show it.

use serde::{Deserialize, Serialize};

use super::Names;

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Default)]
pub struct Organisation {
    /// Empty in both languages until an admin names it (the header then says "Floorready").
    pub name: Names,
    pub has_logo: bool,
    pub has_seal: bool,
    /// Changes whenever an image does, so image addresses can be cached for good.
    pub updated_at: i64,
    /// A survey's results appear from this many responses (K).
    pub survey_min_responses: u32,
}

/// The two images an organisation sets.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum OrgImage {
    Logo,
    Seal,
}

impl OrgImage {
    pub fn as_str(self) -> &'static str {
        match self {
            OrgImage::Logo => "logo",
            OrgImage::Seal => "seal",
        }
    }

    pub fn parse(s: &str) -> Option<OrgImage> {
        [OrgImage::Logo, OrgImage::Seal].into_iter().find(|i| i.as_str() == s)
    }
}

impl Organisation {
    /// Where the browser fetches an image (the version makes a changed image a new address).
    pub fn image_url(&self, which: OrgImage) -> Option<String> {
        let has = match which {
            OrgImage::Logo => self.has_logo,
            OrgImage::Seal => self.has_seal,
        };
        has.then(|| format!("/org/{}?v={}", which.as_str(), self.updated_at))
    }
}
