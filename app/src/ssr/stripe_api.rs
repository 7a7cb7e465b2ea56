//! What Lifeline asks of an MSP's Stripe account, through `async-stripe`: a product and a monthly
//! price per catalog tier, a Checkout Session when a client accepts an offer, the quantity of a
//! subscription item when the client's systems on the tier change, a customer-portal link, and
//! the end of a subscription when the client leaves.
//! The API's address is a setting (`LIFELINE_STRIPE_API_BASE`), so tests talk to a fake of it.
//! A call that fails is reported as `AppError::Upstream` (502) and logged with Stripe's reason;
//! the caller changes nothing of its own then.
use std::collections::HashMap;
use std::time::Duration;

use stripe::{Client, ClientBuilder, StripeError};
use stripe_checkout::checkout_session::{
    CreateCheckoutSession, CreateCheckoutSessionLineItems, CreateCheckoutSessionLineItemsPriceData,
    CreateCheckoutSessionLineItemsPriceDataRecurring,
    CreateCheckoutSessionLineItemsPriceDataRecurringInterval,
    CreateCheckoutSessionSubscriptionData,
};
use stripe_client_core::{RequestBuilder, StripeMethod};
use stripe_product::price::{CreatePrice, CreatePriceRecurring, CreatePriceRecurringInterval};
use stripe_product::product::CreateProduct;
use uuid::Uuid;

use super::error::AppError;

/// One MSP's Stripe account, by its secret key.
pub struct Stripe {
    client: Client,
}

/// A Checkout Session as the client admin is sent to it.
pub struct Checkout {
    pub id: String,
    pub url: String,
}

/// What a Checkout Session is for.
pub struct CheckoutFor<'a> {
    pub offer_id: Uuid,
    pub price_id: &'a str,
    pub quantity: u64,
    /// The monthly share per TB the offer adds on top (product, cents), billed as a second
    /// line at the offered amount.
    pub storage: Option<(&'a str, i64)>,
    pub currency: &'a str,
    pub customer_email: Option<&'a str>,
    pub success_url: String,
    pub cancel_url: String,
}

fn failed(what: &str, e: StripeError) -> AppError {
    match &e {
        StripeError::Stripe(errors, status) => {
            tracing::warn!(call = what, status, error = ?errors, "Stripe refused the call")
        }
        other => tracing::warn!(call = what, error = %other, "Stripe could not be reached"),
    }
    AppError::Upstream
}

fn currency_of(code: &str) -> Result<stripe_types::Currency, AppError> {
    code.to_ascii_lowercase()
        .parse()
        .map_err(|_| AppError::field("currency", "is not a currency Stripe knows"))
}

impl Stripe {
    pub fn new(api_base: &str, secret_key: &str) -> Result<Stripe, AppError> {
        let client = ClientBuilder::new(secret_key)
            .url(api_base)
            .timeout(Duration::from_secs(20))
            .app_info("Lifeline", Some(env!("CARGO_PKG_VERSION").into()), None)
            .build()
            .map_err(|e| failed("configure", e))?;
        Ok(Stripe { client })
    }

    /// A product standing for a catalog tier.
    pub async fn product(&self, name: &str, tier_id: Uuid) -> Result<String, AppError> {
        let product = CreateProduct::new(name)
            .metadata(HashMap::from([(
                "lifeline_tier_id".to_string(),
                tier_id.to_string(),
            )]))
            .send(&self.client)
            .await
            .map_err(|e| failed("create product", e))?;
        Ok(product.id.to_string())
    }

    /// A monthly price per protected system (`cents` in the currency's minor unit).
    pub async fn monthly_price(
        &self,
        product: &str,
        cents: i64,
        currency: &str,
    ) -> Result<String, AppError> {
        let price = CreatePrice::new(currency_of(currency)?)
            .product(product)
            .unit_amount(cents)
            .recurring(CreatePriceRecurring::new(
                CreatePriceRecurringInterval::Month,
            ))
            .send(&self.client)
            .await
            .map_err(|e| failed("create price", e))?;
        Ok(price.id.to_string())
    }

    /// A Checkout Session that starts the subscription an accepted offer stands for. The
    /// offer's id travels as `client_reference_id` and in the metadata of the session and of the
    /// subscription it makes, so that every later event finds its way back.
    pub async fn checkout(&self, c: CheckoutFor<'_>) -> Result<Checkout, AppError> {
        let marks = HashMap::from([("lifeline_offer_id".to_string(), c.offer_id.to_string())]);
        let mut line = CreateCheckoutSessionLineItems::new();
        line.price = Some(c.price_id.to_string());
        line.quantity = Some(c.quantity);
        let mut lines = vec![line];
        if let Some((product, cents)) = c.storage {
            let mut data = CreateCheckoutSessionLineItemsPriceData::new(currency_of(c.currency)?);
            data.product = Some(product.to_string());
            data.unit_amount = Some(cents);
            data.recurring = Some(CreateCheckoutSessionLineItemsPriceDataRecurring::new(
                CreateCheckoutSessionLineItemsPriceDataRecurringInterval::Month,
            ));
            let mut storage = CreateCheckoutSessionLineItems::new();
            storage.price_data = Some(data);
            storage.quantity = Some(1);
            lines.push(storage);
        }
        let mut subscription = CreateCheckoutSessionSubscriptionData::new();
        subscription.metadata = Some(marks.clone());
        let mut request = CreateCheckoutSession::new()
            .mode(stripe_shared::CheckoutSessionMode::Subscription)
            .line_items(lines)
            .client_reference_id(c.offer_id.to_string())
            .metadata(marks)
            .subscription_data(subscription)
            .success_url(c.success_url)
            .cancel_url(c.cancel_url);
        if let Some(email) = c.customer_email {
            request = request.customer_email(email);
        }
        let session = request
            .send(&self.client)
            .await
            .map_err(|e| failed("create checkout session", e))?;
        let url = session.url.ok_or_else(|| {
            tracing::warn!("Stripe answered a Checkout Session without a url");
            AppError::Upstream
        })?;
        Ok(Checkout {
            id: session.id.to_string(),
            url,
        })
    }

    /// Sets how many systems a subscription item bills for; Stripe prorates the change.
    pub async fn set_quantity(&self, item_id: &str, quantity: u64) -> Result<(), AppError> {
        #[derive(serde::Serialize)]
        struct Form<'a> {
            quantity: u64,
            proration_behavior: &'a str,
        }
        RequestBuilder::new(StripeMethod::Post, format!("/subscription_items/{item_id}"))
            .form(&Form {
                quantity,
                proration_behavior: "create_prorations",
            })
            .customize::<miniserde::json::Value>()
            .send(&self.client)
            .await
            .map_err(|e| failed("update subscription item", e))?;
        Ok(())
    }

    /// Cancels a subscription at once (the client left). One Stripe no longer knows (404), or
    /// has canceled already (400: only its metadata can change), counts as done.
    pub async fn cancel(&self, subscription_id: &str) -> Result<(), AppError> {
        let sent = RequestBuilder::new(
            StripeMethod::Delete,
            format!("/subscriptions/{subscription_id}"),
        )
        .customize::<miniserde::json::Value>()
        .send(&self.client)
        .await;
        match sent {
            Ok(_) | Err(StripeError::Stripe(_, 400 | 404)) => Ok(()),
            Err(e) => Err(failed("cancel subscription", e)),
        }
    }

    /// A one-time link into Stripe's customer portal for a customer (payment details, invoices).
    pub async fn portal(&self, customer: &str, return_url: &str) -> Result<String, AppError> {
        let session = stripe_billing::billing_portal_session::CreateBillingPortalSession::new()
            .customer(customer)
            .return_url(return_url)
            .send(&self.client)
            .await
            .map_err(|e| failed("create portal session", e))?;
        Ok(session.url)
    }
}
