use super::validation::FieldError;

pub const DEFAULT_LIMIT: u32 = 50;
pub const MAX_LIMIT: u32 = 500;

/// Keyset pagination: the next page starts after the last id seen, so pages stay stable while
/// rows are added and cost the same however deep the client goes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PageRequest {
    pub after: Option<i64>,
    pub limit: u32,
}

impl PageRequest {
    pub fn parse(cursor: Option<&str>, limit: Option<i64>) -> Result<PageRequest, FieldError> {
        let limit = match limit {
            None => DEFAULT_LIMIT,
            Some(n) if (1..=i64::from(MAX_LIMIT)).contains(&n) => n as u32,
            Some(_) => return Err(FieldError::new("limit", format!("must be between 1 and {MAX_LIMIT}"))),
        };
        let after = match cursor {
            None => None,
            Some(text) => Some(
                decode_cursor(text).ok_or_else(|| FieldError::new("cursor", "is not a cursor this service issued"))?,
            ),
        };
        Ok(PageRequest { after, limit })
    }
}

/// One page of results and where the next one starts.
#[derive(Debug, Clone, PartialEq)]
pub struct Page<T> {
    pub items: Vec<T>,
    pub next_cursor: Option<String>,
}

impl<T> Page<T> {
    /// `rows` holds up to `limit + 1` rows in id order; the extra row only says there is more.
    pub fn from_rows(mut rows: Vec<T>, request: PageRequest, id_of: impl Fn(&T) -> i64) -> Page<T> {
        let has_more = rows.len() > request.limit as usize;
        rows.truncate(request.limit as usize);
        let next_cursor = if has_more {
            rows.last().map(|row| encode_cursor(id_of(row)))
        } else {
            None
        };
        Page {
            items: rows,
            next_cursor,
        }
    }

    pub fn map<U>(self, f: impl FnMut(T) -> U) -> Page<U> {
        Page {
            items: self.items.into_iter().map(f).collect(),
            next_cursor: self.next_cursor,
        }
    }
}

/// Every row of a list, page after page: what a screen shows whole (every item, location,
/// patient due, pending order), however many there are.
pub fn read_all<T, E>(mut read: impl FnMut(PageRequest) -> Result<Page<T>, E>) -> Result<Vec<T>, E> {
    let mut all = Vec::new();
    let mut request = PageRequest {
        after: None,
        limit: MAX_LIMIT,
    };
    loop {
        let page = read(request)?;
        all.extend(page.items);
        match page.next_cursor.as_deref().and_then(decode_cursor) {
            Some(after) => request.after = Some(after),
            None => return Ok(all),
        }
    }
}

fn encode_cursor(id: i64) -> String {
    format!("c{id}")
}

fn decode_cursor(text: &str) -> Option<i64> {
    text.strip_prefix('c')?.parse().ok().filter(|id: &i64| *id >= 0)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_page_is_read_until_the_last() {
        let rows: Vec<i64> = (1..=1234).collect();
        let mut reads = 0;
        let all = read_all(|request: PageRequest| {
            reads += 1;
            let page: Vec<i64> = rows
                .iter()
                .copied()
                .filter(|id| request.after.is_none_or(|after| *id > after))
                .take(request.limit as usize + 1)
                .collect();
            Ok::<_, ()>(Page::from_rows(page, request, |id| *id))
        })
        .unwrap();
        assert_eq!(all, rows);
        assert_eq!(reads, 3);
    }

    #[test]
    fn limits_and_cursors() {
        assert_eq!(
            PageRequest::parse(None, None).unwrap(),
            PageRequest { after: None, limit: 50 }
        );
        assert!(PageRequest::parse(None, Some(0)).is_err());
        assert!(PageRequest::parse(None, Some(501)).is_err());
        assert!(PageRequest::parse(Some("x"), None).is_err());
        assert!(PageRequest::parse(Some("c-1"), None).is_err());
        assert_eq!(PageRequest::parse(Some("c7"), Some(500)).unwrap().after, Some(7));
    }

    #[test]
    fn pages_know_when_there_is_more() {
        let request = PageRequest { after: None, limit: 2 };
        let page = Page::from_rows(vec![1, 2, 3], request, |v| *v);
        assert_eq!(page.items, vec![1, 2]);
        let next = PageRequest::parse(page.next_cursor.as_deref(), Some(2)).unwrap();
        assert_eq!(next.after, Some(2));
        let last = Page::from_rows(vec![3], next, |v| *v);
        assert_eq!(last.next_cursor, None);
    }
}
