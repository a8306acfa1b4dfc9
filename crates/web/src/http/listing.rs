//! Lists that scale: the page, the search and the filters of a list, read from the URL's
//! query string and kept in every link the list shows (pages, export), and the DSFR
//! pagination the page draws. Reading never fails: a page number or a filter the list
//! cannot read is dropped with a French message naming it, and the list shows the rest.

/// Lines per page: twenty lines keep a list under six screens on a phone.
pub const PAGE_SIZE: u64 = 20;

/// The longest search kept; the rest of a longer text is ignored.
const SEARCH_CHARS: usize = 100;

/// What the reader asked of a list.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Listing {
    /// The page shown, from 1.
    pub page: u64,
    /// The search text, trimmed (empty: no search).
    pub search: String,
    /// The filters the list knows, non-empty, in the list's order.
    filters: Vec<(&'static str, String)>,
    /// Why something asked was not applied, in French, naming the field.
    pub notices: Vec<String>,
}

impl Listing {
    /// Reads a query string (`page`, `q` and the list's `filter_names`); other parameters
    /// are ignored.
    pub fn parse(query: Option<&str>, filter_names: &[&'static str]) -> Listing {
        let mut listing = Listing {
            page: 1,
            search: String::new(),
            filters: Vec::new(),
            notices: Vec::new(),
        };
        let pairs = form_urlencoded::parse(query.unwrap_or("").as_bytes());
        for (key, value) in pairs {
            let value = value.trim();
            match key.as_ref() {
                "page" if !value.is_empty() => match value.parse::<u64>() {
                    Ok(number) if number >= 1 => listing.page = number,
                    _ => listing.notices.push(format!(
                        "Page : « {} » n'est pas un numéro de page ; la première page est affichée.",
                        value.chars().take(20).collect::<String>()
                    )),
                },
                "q" => listing.search = value.chars().take(SEARCH_CHARS).collect(),
                name => {
                    if let Some(known) = filter_names.iter().find(|n| **n == name)
                        && !value.is_empty()
                        && listing.filter(known).is_none()
                    {
                        listing
                            .filters
                            .push((known, value.chars().take(SEARCH_CHARS).collect()));
                    }
                }
            }
        }
        listing.filters.sort_by_key(|(name, _)| {
            filter_names
                .iter()
                .position(|n| n == name)
                .unwrap_or(usize::MAX)
        });
        listing
    }

    /// The value asked for a filter, if any.
    pub fn filter(&self, name: &str) -> Option<&str> {
        self.filters
            .iter()
            .find(|(n, _)| *n == name)
            .map(|(_, v)| v.as_str())
    }

    /// Reads a filter with `read`; a value it refuses is dropped (the list is not filtered
    /// on it) with a French notice naming the field by its `label`.
    pub fn read_filter<T>(
        &mut self,
        name: &str,
        label: &str,
        read: impl FnOnce(&str) -> Option<T>,
    ) -> Option<T> {
        let value = self.filter(name)?.to_string();
        match read(&value) {
            Some(read) => Some(read),
            None => {
                self.filters.retain(|(n, _)| *n != name);
                self.notices.push(format!(
                    "{label} : « {} » n'est pas une valeur de la liste ; ce filtre est ignoré.",
                    value.chars().take(40).collect::<String>()
                ));
                None
            }
        }
    }

    /// The number of lines before the page (for SQL's OFFSET).
    pub fn offset(&self) -> u64 {
        (self.page - 1).saturating_mul(PAGE_SIZE)
    }

    /// Brings a page past the end back to the last one, once the count is known.
    pub fn clamp_to(&mut self, total: u64) {
        let last = page_count(total);
        if self.page > last {
            self.notices.push(format!(
                "Page : la page {} n'existe pas ; la dernière page ({last}) est affichée.",
                self.page
            ));
            self.page = last;
        }
    }

    /// The search and filters as a query string, without the page (for the pages' links
    /// and the export).
    pub fn kept_query(&self) -> String {
        let mut query = form_urlencoded::Serializer::new(String::new());
        if !self.search.is_empty() {
            query.append_pair("q", &self.search);
        }
        for (name, value) in &self.filters {
            query.append_pair(name, value);
        }
        query.finish()
    }

    /// The link to another page of the same list at `path`.
    fn href(&self, path: &str, page: u64) -> String {
        let kept = self.kept_query();
        match (kept.is_empty(), page) {
            (true, 1) => path.to_string(),
            (true, _) => format!("{path}?page={page}"),
            (false, 1) => format!("{path}?{kept}"),
            (false, _) => format!("{path}?{kept}&page={page}"),
        }
    }

    /// The pagination of the list at `path` holding `total` lines (call `clamp_to` first).
    pub fn pagination(&self, path: &str, total: u64) -> Pagination {
        let pages = page_count(total);
        let page = self.page.min(pages);
        let mut links = Vec::new();
        let mut previous = 0;
        for number in 1..=pages {
            let near = number.abs_diff(page) <= 1;
            if number == 1 || number == pages || near {
                links.push(PageLink {
                    number,
                    href: self.href(path, number),
                    current: number == page,
                    after_gap: number > previous + 1,
                });
                previous = number;
            }
        }
        Pagination {
            total,
            page,
            pages,
            first: (page > 1).then(|| self.href(path, 1)),
            previous: (page > 1).then(|| self.href(path, page - 1)),
            next: (page < pages).then(|| self.href(path, page + 1)),
            last: (page < pages).then(|| self.href(path, pages)),
            links,
        }
    }
}

/// Pages for `total` lines: at least one, even empty.
fn page_count(total: u64) -> u64 {
    total.div_ceil(PAGE_SIZE).max(1)
}

/// One page of the pagination; `after_gap`: pages were skipped before it (« … »).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PageLink {
    pub number: u64,
    pub href: String,
    pub current: bool,
    pub after_gap: bool,
}

/// The pages of a list as the page shows them (DSFR `fr-pagination`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Pagination {
    pub total: u64,
    pub page: u64,
    pub pages: u64,
    pub first: Option<String>,
    pub previous: Option<String>,
    pub next: Option<String>,
    pub last: Option<String>,
    pub links: Vec<PageLink>,
}

impl Pagination {
    /// « 671 postes, page 1 sur 34 », with the noun in the singular for one line.
    pub fn summary(&self, one: &str, many: &str) -> String {
        let noun = if self.total > 1 { many } else { one };
        format!(
            "{} {noun}, page {} sur {}",
            passerelle_domain::numbers::count(self.total),
            self.page,
            self.pages
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const FILTERS: &[&str] = &["departement", "statut"];

    #[test]
    fn page_search_and_known_filters_are_read_and_kept_in_order() {
        let listing = Listing::parse(
            Some("statut=vacant&q=+Rennes+&page=3&departement=35&autre=x"),
            FILTERS,
        );
        assert_eq!(listing.page, 3);
        assert_eq!(listing.search, "Rennes");
        assert_eq!(listing.filter("departement"), Some("35"));
        assert_eq!(listing.filter("autre"), None);
        assert!(listing.notices.is_empty());
        assert_eq!(
            listing.kept_query(),
            "q=Rennes&departement=35&statut=vacant"
        );
        assert_eq!(listing.offset(), 2 * PAGE_SIZE);
    }

    #[test]
    fn a_bad_page_falls_back_to_the_first_with_a_french_notice() {
        for bad in ["abc", "0", "-2", "99999999999999999999999"] {
            let listing = Listing::parse(Some(&format!("page={bad}")), FILTERS);
            assert_eq!(listing.page, 1, "{bad}");
            assert!(listing.notices[0].starts_with("Page : "), "{bad}");
        }
        assert_eq!(Listing::parse(None, FILTERS).page, 1);
        assert!(Listing::parse(Some("page="), FILTERS).notices.is_empty());
    }

    #[test]
    fn a_page_past_the_end_shows_the_last_one() {
        let mut listing = Listing::parse(Some("page=40"), FILTERS);
        listing.clamp_to(671);
        assert_eq!(listing.page, 34);
        assert!(listing.notices[0].contains("la page 40 n'existe pas"));
        let mut empty = Listing::parse(Some("page=2"), FILTERS);
        empty.clamp_to(0);
        assert_eq!(empty.page, 1);
    }

    #[test]
    fn a_refused_filter_is_dropped_and_named() {
        let mut listing = Listing::parse(Some("departement=ZZ&statut=vacant"), FILTERS);
        let read: Option<u8> = listing.read_filter("departement", "Département", |_| None);
        assert_eq!(read, None);
        assert_eq!(listing.kept_query(), "statut=vacant");
        assert!(listing.notices[0].starts_with("Département : « ZZ »"));
    }

    #[test]
    fn the_pagination_links_keep_the_filters_and_skip_distant_pages() {
        let listing = Listing::parse(Some("statut=vacant&page=5"), FILTERS);
        let pagination = listing.pagination("/postes", 671);
        assert_eq!(pagination.pages, 34);
        assert_eq!(
            pagination.summary("poste", "postes"),
            "671 postes, page 5 sur 34"
        );
        assert_eq!(pagination.first.as_deref(), Some("/postes?statut=vacant"));
        assert_eq!(
            pagination.next.as_deref(),
            Some("/postes?statut=vacant&page=6")
        );
        let numbers: Vec<(u64, bool)> = pagination
            .links
            .iter()
            .map(|l| (l.number, l.after_gap))
            .collect();
        assert_eq!(
            numbers,
            [(1, false), (4, true), (5, false), (6, false), (34, true)]
        );
        assert!(pagination.links[2].current);
        let one = Listing::parse(None, FILTERS).pagination("/postes", 1);
        assert_eq!(one.summary("poste", "postes"), "1 poste, page 1 sur 1");
        assert_eq!((one.previous, one.next), (None, None));
        assert_eq!(
            Listing::parse(None, FILTERS)
                .pagination("/postes", 1234)
                .summary("poste", "postes"),
            "1\u{202f}234 postes, page 1 sur 62"
        );
    }
}
