//! Following a listing's pages to the end, within [`ProviderLimits`]: a page cap, an item cap,
//! a link seen before ends it (a loop would never end), and every page shares one deadline.

use std::collections::HashSet;

use futures_util::future::BoxFuture;

use super::{Cancel, Page, ProviderError, ProviderLimits};

/// Every item of a listing, fetched page by page with `page(next)`.
pub async fn every_page<'p, T, F>(
    limits: &ProviderLimits,
    cancel: &Cancel,
    mut page: F,
) -> Result<Vec<T>, ProviderError>
where
    F: FnMut(Option<String>, Cancel) -> BoxFuture<'p, Result<Page<T>, ProviderError>>,
{
    let step = cancel.within(limits.step_timeout);
    let mut items = Vec::new();
    let mut seen = HashSet::new();
    let mut next: Option<String> = None;
    for _ in 0..limits.max_pages {
        let fetched = page(next.take(), step.clone()).await?;
        if items.len() + fetched.items.len() > limits.max_items {
            return Err(ProviderError::TooLarge(format!(
                "the listing has more than {} items",
                limits.max_items
            )));
        }
        items.extend(fetched.items);
        match fetched.next {
            None => return Ok(items),
            Some(_) if step.is_requested() => return Err(ProviderError::Cancelled),
            Some(link) if !seen.insert(link.clone()) => {
                return Err(ProviderError::Invalid(
                    "the provider sent a next-page link it had sent before; a listing that \
                     loops never ends"
                        .to_owned(),
                ));
            }
            Some(link) => next = Some(link),
        }
    }
    Err(ProviderError::TooLarge(format!(
        "the listing runs past {} pages",
        limits.max_pages
    )))
}
