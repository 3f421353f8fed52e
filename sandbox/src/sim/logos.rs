//! Small generated logos for the institutions and merchants, so that a page on the sandbox
//! loads every image from this machine (MX's own logos live on a content host, offline here).

use crate::sim::institutions;
use crate::sim::seed::hash;

/// The sizes institution logos come in (Atrium's `small_logo_url` and `medium_logo_url`).
pub const SIZES: [u32; 2] = [50, 100];

/// Where an institution's logo of `size` pixels is, under `base` (no trailing slash).
pub fn institution_url(base: &str, code: &str, size: u32) -> String {
    format!("{base}/{size}x{size}/{code}.svg")
}

/// Where a merchant's logo is, under `base`.
pub fn merchant_url(base: &str, merchant_guid: &str) -> String {
    format!("{base}/merchants/{merchant_guid}.svg")
}

/// The SVG at `file` (a path below the logo base: `100x100/mxbank.svg`,
/// `merchants/MCH-….svg`), or `None` when no such logo was ever handed out.
pub fn render(file: &str) -> Option<String> {
    let (folder, name) = file.split_once('/')?;
    let stem = name.strip_suffix(".svg")?;
    if folder == "merchants" {
        let name = crate::sim::merchants::name_of(stem)?;
        return Some(svg(name, 64));
    }
    let size = SIZES.into_iter().find(|s| folder == format!("{s}x{s}"))?;
    let institution = institutions::institution(stem).ok()?;
    Some(svg(institution.name, size))
}

/// A rounded square in a colour of the name's own, with its initials.
fn svg(name: &str, size: u32) -> String {
    let hue = hash(name) % 360;
    let font = size * 2 / 5;
    format!(
        "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"{size}\" height=\"{size}\" \
         viewBox=\"0 0 {size} {size}\" role=\"img\" aria-label=\"{label}\">\
         <rect width=\"{size}\" height=\"{size}\" rx=\"{r}\" fill=\"hsl({hue},55%,38%)\"/>\
         <text x=\"50%\" y=\"50%\" dy=\".35em\" text-anchor=\"middle\" fill=\"#fff\" \
         font-family=\"system-ui,sans-serif\" font-weight=\"600\" font-size=\"{font}\">{text}</text></svg>",
        r = size / 6,
        label = escape(name),
        text = escape(&initials(name)),
    )
}

/// Up to two letters: the first of the first two words that start with one.
fn initials(name: &str) -> String {
    name.split_whitespace()
        .filter_map(|w| w.chars().find(|c| c.is_alphanumeric()))
        .take(2)
        .flat_map(char::to_uppercase)
        .collect()
}

fn escape(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_institution_logo_handed_out_renders() {
        for inst in institutions::all() {
            for size in SIZES {
                let url = institution_url("http://h/logos", inst.code, size);
                let file = url.strip_prefix("http://h/logos/").unwrap();
                let svg = render(file).unwrap_or_else(|| panic!("{url}"));
                assert!(svg.contains(&format!("width=\"{size}\"")), "{svg}");
            }
        }
    }

    #[test]
    fn initials_and_escaping() {
        assert_eq!(initials("MX Bank (OAuth)"), "MB");
        assert_eq!(initials("U.S. Bank"), "UB");
        assert_eq!(initials("USAA"), "U");
        let svg = svg("City Power & Light", 64);
        assert!(
            svg.contains("aria-label=\"City Power &amp; Light\""),
            "{svg}"
        );
    }

    #[test]
    fn unknown_logos_are_none() {
        for file in [
            "100x100/nope.svg",
            "64x64/mxbank.svg",
            "100x100/mxbank.png",
            "mxbank.svg",
            "merchants/MCH-nope.svg",
            "../100x100/mxbank.svg",
        ] {
            assert!(render(file).is_none(), "{file}");
        }
    }
}
