//! The DRaaS upsell: for each system whose protection cannot keep its agreed targets (or cannot
//! bring it back when the site is lost), the cheapest tier of the MSP's catalog that would, with
//! the reason in plain words. Pure: the caller brings the systems, the plan's scenarios and the
//! catalog. Money is integer minor units (cents) throughout.
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use super::plan::Criticality;
use super::sla::{achievable, spoken, Method, Policy};
use crate::i18n::Lang;

/// A tier of the MSP's service catalog: the targets it promises and the protection it stands
/// for, so the same rules as for any policy work out what it achieves for a given system.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Tier {
    pub id: Uuid,
    pub name: String,
    pub rpo_minutes: u32,
    pub rto_minutes: u32,
    pub survives_site_loss: bool,
    pub policy: Policy,
    pub price_per_system_cents: i64,
    /// Per TB of the system's data per month, on top of the price per system.
    pub price_per_tb_cents: Option<i64>,
    pub currency: String,
}

impl Tier {
    /// The protection a system would get on this tier: the tier's method and rhythm, the
    /// system's own amount of data.
    pub fn policy_for(&self, data_gb: u32) -> Policy {
        Policy {
            data_gb,
            ..self.policy.clone()
        }
    }

    /// What one system on this tier costs per month: the price per system plus its share per TB
    /// (rounded up to the cent).
    pub fn monthly_cents(&self, data_gb: u32) -> i64 {
        let per_tb = i128::from(self.price_per_tb_cents.unwrap_or(0).max(0));
        let tb_part = (per_tb * i128::from(data_gb) + 1023) / 1024;
        self.price_per_system_cents
            .max(0)
            .saturating_add(i64::try_from(tb_part).unwrap_or(i64::MAX))
    }
}

/// A system as the recommendation sees it: its targets in force, its protection, and the tier it
/// is on (if any) for the price difference.
#[derive(Clone, Debug, PartialEq)]
pub struct Protected {
    pub id: Uuid,
    pub name: String,
    pub criticality: Criticality,
    pub rpo_minutes: Option<u32>,
    pub rto_minutes: Option<u32>,
    pub policy: Option<Policy>,
    pub tier_id: Option<Uuid>,
}

impl Protected {
    fn data_gb(&self) -> u32 {
        self.policy.as_ref().map_or(0, |p| p.data_gb)
    }

    /// It must come back when the site is lost: a critical system, or any system of a plan that
    /// names a fire or a flood.
    fn needs_site_loss(&self, site_loss_scenario: bool) -> bool {
        site_loss_scenario || self.criticality == Criticality::Critical
    }
}

/// One system a recommendation fixes, with why, in both languages.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Reason {
    pub id: Uuid,
    pub name: String,
    pub reason: String,
    pub reason_nl: String,
    pub monthly_price_cents: i64,
}

/// Move these systems to this tier.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Recommendation {
    pub tier_id: Uuid,
    pub tier_name: String,
    pub systems: Vec<Reason>,
    /// What the systems cost on the tier per month.
    pub monthly_price_cents: i64,
    /// That, less what they cost on their current tiers.
    pub monthly_difference_cents: i64,
    pub currency: String,
}

/// Where `policy` falls short for the system: (data lost, RPO) when it loses more than agreed,
/// (restore time, RTO) when it takes longer, and whether the site's loss loses too much (or
/// everything) while the system must survive it.
struct Shortfall {
    rpo: Option<(u32, u32)>,
    rto: Option<(u32, u32)>,
    site: Option<Option<u32>>,
}

fn shortfall(s: &Protected, policy: &Policy, site_loss: bool) -> Shortfall {
    let a = achievable(policy);
    let over = |got: u32, target: Option<u32>| target.filter(|t| got > *t).map(|t| (got, t));
    let site = match a.site_loss_rpo_minutes {
        _ if !s.needs_site_loss(site_loss) => None,
        None => Some(None),
        Some(m) => s.rpo_minutes.filter(|t| m > *t).map(|_| Some(m)),
    };
    Shortfall {
        rpo: over(a.rpo_minutes, s.rpo_minutes),
        rto: over(a.rto_minutes, s.rto_minutes),
        site,
    }
}

impl Shortfall {
    fn none(&self) -> bool {
        self.rpo.is_none() && self.rto.is_none() && self.site.is_none()
    }
}

/// Does `policy` keep the system's targets, including losing the site where it must survive it?
fn keeps(s: &Protected, policy: &Policy, site_loss: bool) -> bool {
    shortfall(s, policy, site_loss).none()
}

/// Does the tier keep the system's targets: what it promises, and what its protection achieves
/// with this system's data?
fn fits(s: &Protected, tier: &Tier, site_loss: bool) -> bool {
    let promised = s.rpo_minutes.is_none_or(|t| tier.rpo_minutes <= t)
        && s.rto_minutes.is_none_or(|t| tier.rto_minutes <= t)
        && (!s.needs_site_loss(site_loss) || tier.survives_site_loss);
    promised && keeps(s, &tier.policy_for(s.data_gb()), site_loss)
}

/// Why the system needs more than it has, as sentences in `lang`.
fn why(lang: Lang, s: &Protected, site_loss: bool) -> String {
    let say = |m: u32| spoken(lang, m);
    let nl = lang == Lang::Nl;
    let Some(policy) = &s.policy else {
        return if nl {
            format!("Van {} is geen back-up bekend: het is onbeschermd.", s.name)
        } else {
            format!("{} has no known backup: it is unprotected.", s.name)
        };
    };
    let f = shortfall(s, policy, site_loss);
    let mut out = Vec::new();
    if let Some((got, t)) = f.rpo {
        out.push(if nl {
            format!("{} heeft een RPO van {} nodig; een back-up elke {} kan tot {} aan gegevens verliezen.", s.name, say(t), say(policy.interval_minutes), say(got))
        } else {
            format!("{} needs an RPO of {}; a backup every {} can lose up to {}.", s.name, say(t), say(policy.interval_minutes), say(got))
        });
    }
    if let Some((got, t)) = f.rto {
        out.push(if nl {
            format!(
                "Het moet binnen {} terug zijn; herstellen duurt ongeveer {}.",
                say(t),
                say(got)
            )
        } else {
            format!(
                "It must be back within {}; restoring takes about {}.",
                say(t),
                say(got)
            )
        });
    }
    if let Some(lost) = f.site {
        let because = match (nl, s.criticality == Criticality::Critical) {
            (false, true) => "As a critical system it must survive losing the site",
            (false, false) => "The plan prepares for fire or flood, so it must survive losing the site",
            (true, true) => "Als kritiek systeem moet het verlies van de locatie overleven",
            (true, false) => "Het plan houdt rekening met brand of water, dus het moet verlies van de locatie overleven",
        };
        out.push(match (nl, lost) {
            (false, None) => format!("{because}; no copy leaves the site, so a fire or flood loses all data."),
            (false, Some(m)) => format!("{because}; if the site is lost, up to {} of data is lost.", say(m)),
            (true, None) => format!("{because}; er gaat geen kopie de deur uit, dus bij brand of water zijn alle gegevens weg."),
            (true, Some(m)) => format!("{because}; gaat de locatie verloren, dan is tot {} aan gegevens weg.", say(m)),
        });
    }
    out.join(" ")
}

/// The tier changes that would keep every system's targets: per tier, the systems it fixes and
/// what that costs. A system whose protection already keeps its targets gets nothing; one with
/// no policy counts as unprotected; each system goes to the cheapest tier that keeps its targets
/// (the catalog's order breaks a tie); a system no tier can help is left out. Tiers come in
/// catalog order.
pub fn recommend(
    systems: &[Protected],
    site_loss_scenario: bool,
    catalog: &[Tier],
) -> Vec<Recommendation> {
    let mut out: Vec<Recommendation> = Vec::new();
    for s in systems {
        if s.policy
            .as_ref()
            .is_some_and(|p| keeps(s, p, site_loss_scenario))
        {
            continue;
        }
        let best = catalog
            .iter()
            .filter(|t| Some(t.id) != s.tier_id || s.policy.is_none())
            .filter(|t| fits(s, t, site_loss_scenario))
            .min_by_key(|t| t.monthly_cents(s.data_gb()));
        let Some(tier) = best else { continue };
        let price = tier.monthly_cents(s.data_gb());
        let current = s
            .tier_id
            .and_then(|id| catalog.iter().find(|t| t.id == id))
            .map_or(0, |t| t.monthly_cents(s.data_gb()));
        let reason = Reason {
            id: s.id,
            name: s.name.clone(),
            reason: why(Lang::En, s, site_loss_scenario),
            reason_nl: why(Lang::Nl, s, site_loss_scenario),
            monthly_price_cents: price,
        };
        match out.iter_mut().find(|r| r.tier_id == tier.id) {
            Some(r) => {
                r.systems.push(reason);
                r.monthly_price_cents = r.monthly_price_cents.saturating_add(price);
                r.monthly_difference_cents =
                    r.monthly_difference_cents.saturating_add(price - current);
            }
            None => out.push(Recommendation {
                tier_id: tier.id,
                tier_name: tier.name.clone(),
                systems: vec![reason],
                monthly_price_cents: price,
                monthly_difference_cents: price - current,
                currency: tier.currency.clone(),
            }),
        }
    }
    let order = |id: Uuid| catalog.iter().position(|t| t.id == id);
    out.sort_by_key(|r| order(r.tier_id));
    out
}

/// The catalog a new MSP starts with: Backup Basic, Instant Recovery and DRaaS, with example
/// prices in euros; every part of it is the MSP's to change. The ids are placeholders (1, 2, 3)
/// for the store to replace.
pub fn starter_catalog(lang: Lang) -> Vec<Tier> {
    let mut n = 0u128;
    let mut tier = |name: &str, rpo, rto, site, policy, cents| Tier {
        id: {
            n += 1;
            Uuid::from_u128(n)
        },
        name: name.to_string(),
        rpo_minutes: rpo,
        rto_minutes: rto,
        survives_site_loss: site,
        policy,
        price_per_system_cents: cents,
        price_per_tb_cents: None,
        currency: "EUR".into(),
    };
    let (basic, instant) = match lang {
        Lang::En => ("Backup Basic", "Instant Recovery"),
        Lang::Nl => ("Back-up Basis", "Direct Herstel"),
    };
    vec![
        tier(
            basic,
            24 * 60,
            72 * 60,
            false,
            Policy {
                method: Method::AgentToDisk,
                interval_minutes: 23 * 60,
                job_minutes: 60,
                offsite_interval_minutes: None,
                retention_days: 30,
                data_gb: 0,
                restore_mb_per_s: None,
            },
            1_500,
        ),
        tier(
            instant,
            15,
            60,
            false,
            Policy {
                method: Method::ImageInstant,
                interval_minutes: 10,
                job_minutes: 5,
                offsite_interval_minutes: None,
                retention_days: 30,
                data_gb: 0,
                restore_mb_per_s: None,
            },
            4_500,
        ),
        tier(
            "DRaaS",
            15,
            4 * 60,
            true,
            Policy {
                method: Method::Draas,
                interval_minutes: 10,
                job_minutes: 5,
                offsite_interval_minutes: Some(10),
                retention_days: 90,
                data_gb: 0,
                restore_mb_per_s: None,
            },
            9_500,
        ),
    ]
}

/// A price as people read it: "€ 45.00" / "€ 45,00".
pub fn money(lang: Lang, cents: i64, currency: &str) -> String {
    let sign = if cents < 0 { "-" } else { "" };
    let c = cents.unsigned_abs();
    let symbol = match currency {
        "EUR" => "€ ",
        "USD" => "$",
        "GBP" => "£",
        other => return format!("{sign}{other} {}{}{:02}", c / 100, sep(lang), c % 100),
    };
    format!("{sign}{symbol}{}{}{:02}", c / 100, sep(lang), c % 100)
}

/// What a form's amount field says it should read like.
pub const MONEY: &str = "must be an amount such as 45 or 45.00";

/// An amount typed as people type it ("45", "45.00", "45,5", "€ 12,50") in cents; empty is no
/// amount.
pub fn parse_money(v: &str) -> Result<Option<i64>, &'static str> {
    let v: String = v
        .trim()
        .trim_start_matches(['€', '$', '£'])
        .chars()
        .filter(|c| !c.is_whitespace())
        .collect();
    if v.is_empty() {
        return Ok(None);
    }
    let (whole, frac) = match v.split_once(['.', ',']) {
        Some((w, f)) => (w, f),
        None => (v.as_str(), ""),
    };
    let digits = |s: &str| !s.is_empty() && s.len() <= 12 && s.bytes().all(|b| b.is_ascii_digit());
    if !digits(whole) || frac.len() > 2 || (!frac.is_empty() && !digits(frac)) {
        return Err(MONEY);
    }
    let cents = match frac.len() {
        0 => 0,
        1 => frac.parse::<i64>().map_err(|_| MONEY)? * 10,
        _ => frac.parse::<i64>().map_err(|_| MONEY)?,
    };
    Ok(Some(whole.parse::<i64>().map_err(|_| MONEY)? * 100 + cents))
}

/// Cents as a form shows them back: "45.00" / "45,00".
pub fn money_field(lang: Lang, cents: i64) -> String {
    format!("{}{}{:02}", cents / 100, sep(lang), (cents % 100).abs())
}

fn sep(lang: Lang) -> char {
    match lang {
        Lang::En => '.',
        Lang::Nl => ',',
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn system(name: &str, rpo: Option<u32>, rto: Option<u32>, policy: Option<Policy>) -> Protected {
        Protected {
            id: Uuid::new_v4(),
            name: name.into(),
            criticality: Criticality::Medium,
            rpo_minutes: rpo,
            rto_minutes: rto,
            policy,
            tier_id: None,
        }
    }

    fn daily(data_gb: u32) -> Policy {
        Policy {
            data_gb,
            ..starter_catalog(Lang::En)[0].policy.clone()
        }
    }

    fn names(r: &Recommendation) -> Vec<&str> {
        r.systems.iter().map(|s| s.name.as_str()).collect()
    }

    #[test]
    fn each_system_gets_the_cheapest_tier_that_keeps_its_targets() {
        let catalog = starter_catalog(Lang::En);
        let erp = system("ERP", Some(60), Some(4 * 60), Some(daily(200)));
        let files = system("Files", Some(24 * 60), Some(72 * 60), Some(daily(200)));
        let wiki = system("Wiki", Some(15), None, Some(daily(5)));
        let recs = recommend(&[erp, files, wiki], false, &catalog);
        // Files' daily backup already keeps a day: nothing for it. ERP and the wiki need
        // 15-minute snapshots, and nothing forces them off the site.
        assert_eq!(recs.len(), 1, "{recs:?}");
        assert_eq!(recs[0].tier_name, "Instant Recovery");
        assert_eq!(names(&recs[0]), ["ERP", "Wiki"]);
        assert_eq!(recs[0].monthly_price_cents, 2 * 4_500);
        assert_eq!(
            recs[0].systems[0].reason,
            "ERP needs an RPO of 60 min; a backup every 23 h can lose up to 1 day."
        );
        assert_eq!(
            recs[0].systems[0].reason_nl,
            "ERP heeft een RPO van 60 min nodig; een back-up elke 23 u kan tot 1 dag aan gegevens verliezen."
        );
    }

    #[test]
    fn what_must_survive_the_sites_loss_goes_to_a_tier_that_does() {
        let catalog = starter_catalog(Lang::En);
        let mut erp = system("ERP", Some(60), Some(8 * 60), Some(daily(200)));
        erp.criticality = Criticality::Critical;
        let files = system("Files", Some(24 * 60), None, Some(daily(200)));
        // Without a fire or flood in the plan only the critical ERP must survive the site.
        let recs = recommend(&[erp.clone(), files.clone()], false, &catalog);
        assert_eq!((recs.len(), recs[0].tier_name.as_str()), (1, "DRaaS"));
        assert_eq!(names(&recs[0]), ["ERP"]);
        assert!(recs[0].systems[0]
            .reason
            .contains("As a critical system it must survive losing the site"));
        // With one, the file server must too, and its daily backup on site no longer does.
        let recs = recommend(&[erp, files], true, &catalog);
        assert_eq!(names(&recs[0]), ["ERP", "Files"]);
        assert!(
            recs[0].systems[1]
                .reason
                .contains("no copy leaves the site"),
            "{:?}",
            recs[0].systems[1]
        );
        assert!(recs[0].systems[1].reason_nl.contains("brand of water"));
    }

    #[test]
    fn an_unprotected_system_gets_the_cheapest_tier_and_met_targets_get_nothing() {
        let catalog = starter_catalog(Lang::En);
        let printer = system("Print server", None, None, None);
        let recs = recommend(&[printer], false, &catalog);
        assert_eq!(recs[0].tier_name, "Backup Basic");
        assert_eq!(
            recs[0].systems[0].reason,
            "Print server has no known backup: it is unprotected."
        );
        let mut kept = system("CRM", Some(60), Some(60), None);
        kept.policy = Some(catalog[1].policy_for(100));
        assert!(recommend(&[kept], false, &catalog).is_empty());
        assert!(recommend(&[], true, &catalog).is_empty());
    }

    #[test]
    fn a_price_per_tb_can_make_another_tier_the_cheaper_one() {
        let mut catalog = starter_catalog(Lang::En);
        // Instant Recovery now costs € 10 a system plus € 60 per TB; DRaaS also keeps the RPO.
        catalog[1].price_per_system_cents = 1_000;
        catalog[1].price_per_tb_cents = Some(6_000);
        let small = system("Small", Some(60), None, Some(daily(100)));
        let big = system("Big", Some(60), None, Some(daily(4 * 1024)));
        let recs = recommend(&[small, big], false, &catalog);
        let tier_of = |name: &str| recs.iter().find(|r| names(r).contains(&name)).unwrap();
        // 100 GB: € 10 + € 5.86 (rounded up) beats DRaaS; 4 TB: € 250 does not.
        assert_eq!(tier_of("Small").tier_name, "Instant Recovery");
        assert_eq!(tier_of("Small").systems[0].monthly_price_cents, 1_000 + 586);
        assert_eq!(tier_of("Big").tier_name, "DRaaS");
        assert_eq!(catalog[1].monthly_cents(4 * 1024), 1_000 + 24_000);
    }

    #[test]
    fn the_difference_counts_what_the_current_tier_costs_and_no_tier_means_no_advice() {
        let catalog = starter_catalog(Lang::En);
        let mut erp = system("ERP", Some(60), None, Some(daily(10)));
        erp.tier_id = Some(catalog[0].id);
        let recs = recommend(&[erp], false, &catalog);
        assert_eq!(recs[0].monthly_difference_cents, 4_500 - 1_500);
        // An RPO of one minute is beyond every tier: no advice rather than a wrong one.
        let rushed = system("Trading", Some(1), None, Some(daily(10)));
        assert!(recommend(&[rushed], false, &catalog).is_empty());
    }

    #[test]
    fn amounts_are_typed_as_people_type_them() {
        assert_eq!(parse_money("45"), Ok(Some(4_500)));
        assert_eq!(parse_money(" € 45,5 "), Ok(Some(4_550)));
        assert_eq!(parse_money("0.07"), Ok(Some(7)));
        assert_eq!(parse_money(""), Ok(None));
        for bad in [
            "45.123",
            "1.234,56",
            "-5",
            "abc",
            ",50",
            "1e3",
            "9999999999999",
        ] {
            assert_eq!(parse_money(bad), Err(MONEY), "{bad}");
        }
        assert_eq!(money_field(Lang::Nl, 4_550), "45,50");
    }

    #[test]
    fn money_reads_as_people_write_it() {
        assert_eq!(money(Lang::En, 4_500, "EUR"), "€ 45.00");
        assert_eq!(money(Lang::Nl, 123_456, "EUR"), "€ 1234,56");
        assert_eq!(money(Lang::En, -5, "USD"), "-$0.05");
        assert_eq!(money(Lang::En, 100, "CHF"), "CHF 1.00");
    }
}
