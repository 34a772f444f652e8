/**
 * An example native app's sign-in and offline loop, as an app team would write it: `openid-client` does the
 * OAuth side (discovery from the issuer, the authorization-code flow with PKCE, refresh with one-time-use
 * rotation), the offline verifier decides what the token allows while the device has no network, and every
 * change is persisted before the app answers. docs/offline-verifier.md ("Example: a native app's whole loop")
 * walks through it; test/verifier/native-app-loop.e2e.test.ts runs it against the emulator.
 *
 * What a real app does differently is marked "A real app": the browser (a system browser tab such as
 * ASWebAuthenticationSession or Custom Tabs, which hands the redirect back to the app), the storage (Keychain or
 * Keystore) and the clock (the device's own).
 */
import * as oidc from "openid-client";
// An app writes `from "@fusionauth-offline-kit/verifier"`; the example imports the package's sources.
import {
  createOfflineSession,
  type DeviceKey,
  type OfflineSession,
  type SessionDecision,
  type SignedBundleFilesInput,
  syncJwks,
} from "../src/index";

/** The app's build-time configuration: what `npm start` (or `pulumi stack output`) prints for the application. */
export interface AppConfig {
  /** The tenant's issuer, `{FusionAuth URL}/{tenantId}`: discovery starts from it. */
  issuer: string;
  clientId: string;
  /** A custom-scheme redirect URI the application authorizes (`com.example.ward:/oauth2/callback`). */
  redirectUri: string;
  /** The signed bundle shipped in the build, and the pipeline's pinned bundle-signing key. */
  bundle: Partial<SignedBundleFilesInput>;
  pinnedKeys: Parameters<typeof createOfflineSession>[0]["pinnedKeys"];
  /**
   * The key the device state is sealed with. A real app: an HMAC key in the Android Keystore or the iOS Keychain
   * (docs/react-native.md), never raw bytes in the app.
   */
  deviceKey: DeviceKey;
}

/** Secure storage of one JSON document. A real app: Keychain / Keystore. */
export interface SecureStorage {
  load(): Promise<string | undefined>;
  save(text: string): Promise<void>;
}

/**
 * Opens the authorization URL and resolves with the URL the server redirected to (the custom-scheme callback
 * with `code` and `state`). A real app: the system browser tab, where the user signs in on the hosted page.
 */
export type Browser = (authorizationUrl: URL) => Promise<URL>;

/** What the app keeps across launches, in secure storage. */
interface Saved {
  /** The verifier's device state (server time, check-in, fetched JWKS, ...), sealed with the device key. */
  session?: string;
  accessToken?: string;
  refreshToken?: string;
}

export class NativeApp {
  private constructor(
    private readonly config: AppConfig,
    private readonly storage: SecureStorage,
    private readonly clock: () => Date,
    private readonly session: OfflineSession,
    private saved: Saved,
  ) {}

  /** App start-up: the stored state (if any) and the shipped bundle open the offline session. */
  static async open(
    config: AppConfig,
    storage: SecureStorage,
    clock: () => Date = () => new Date(),
  ): Promise<NativeApp> {
    const text = await storage.load();
    const saved: Saved = text === undefined ? {} : JSON.parse(text);
    let app: NativeApp | undefined;
    const session = await createOfflineSession({
      bundle: config.bundle,
      pinnedKeys: config.pinnedKeys,
      state: saved.session,
      // The verifier hands over every change of the device state; the app stores it with its tokens.
      persist: async (sealed) => {
        if (app === undefined) saved.session = sealed;
        else await app.store({ session: sealed });
      },
      deviceKey: config.deviceKey,
    });
    app = new NativeApp(config, storage, clock, session, saved);
    await app.store({});
    return app;
  }

  private async store(change: Saved): Promise<void> {
    this.saved = { ...this.saved, ...change };
    await this.storage.save(JSON.stringify(this.saved));
  }

  get signedIn(): boolean {
    return this.saved.accessToken !== undefined;
  }

  /**
   * The issuer's configuration, discovered from the issuer as any OpenID library does. `clockSkew` tells
   * openid-client how far the device clock is from this machine's (non-zero only when a simulation moves the
   * device clock); `allowInsecureRequests` only for a local `http://` issuer.
   */
  private async discover(): Promise<oidc.Configuration> {
    const issuer = new URL(this.config.issuer);
    const skew = Math.round((this.clock().getTime() - Date.now()) / 1000);
    return oidc.discovery(
      issuer,
      this.config.clientId,
      { [oidc.clockSkew]: skew },
      oidc.None(),
      issuer.protocol === "http:" ? { execute: [oidc.allowInsecureRequests] } : undefined,
    );
  }

  /**
   * Signs in with the authorization-code flow and PKCE (`openid offline_access`), then hands the access token to
   * the verifier as an online sign-in. openid-client does not expose the token response's HTTP `Date`, so no
   * `serverTime` is passed: the verifier takes the verified token's `iat`, the server's time of a response the
   * device saw arrive online.
   */
  async signIn(browser: Browser): Promise<SessionDecision> {
    const config = await this.discover();
    const verifier = oidc.randomPKCECodeVerifier();
    const state = oidc.randomState();
    const nonce = oidc.randomNonce();
    const url = oidc.buildAuthorizationUrl(config, {
      redirect_uri: this.config.redirectUri,
      response_type: "code",
      scope: "openid offline_access",
      code_challenge: await oidc.calculatePKCECodeChallenge(verifier),
      code_challenge_method: "S256",
      state,
      nonce,
    });
    const callback = await browser(url);
    const tokens = await oidc.authorizationCodeGrant(config, callback, {
      pkceCodeVerifier: verifier,
      expectedState: state,
      expectedNonce: nonce,
      idTokenExpected: true,
    });
    await this.store({ accessToken: tokens.access_token, refreshToken: tokens.refresh_token });
    return this.session.login({ token: tokens.access_token, now: this.clock() });
  }

  /**
   * Check-in: fetches the issuer's JWKS with `syncJwks` (its `Date` header is the server's time of the fetch) and
   * installs it, so keys published after the build verify offline, and a later refresh carries the current
   * revocation state (a check-in without a fresh JWKS counts only until that fetch + C).
   */
  async checkIn(): Promise<void> {
    const config = await this.discover();
    const jwksUri = config.serverMetadata().jwks_uri as string;
    const synced = await syncJwks(this.session, { jwksUri });
    if (!synced.ok) throw new Error(`JWKS check-in failed: ${synced.code}: ${synced.message}`);
  }

  /** What the stored token allows now (offline or online), on the device clock. */
  decide(online: boolean): Promise<SessionDecision> {
    if (this.saved.accessToken === undefined) throw new Error("not signed in");
    return this.session.decide({ token: this.saved.accessToken, now: this.clock(), online });
  }

  /**
   * Refreshes online: first the JWKS (the check-in carries the revocation state), then the refresh token, which
   * is one-time use, so the new one replaces it in storage before anything else happens; the new access token
   * counts as a check-in (its `iat` is the server time, as at sign-in).
   */
  async refresh(): Promise<SessionDecision> {
    if (this.saved.refreshToken === undefined) throw new Error("no refresh token: sign in");
    await this.checkIn();
    const config = await this.discover();
    const tokens = await oidc.refreshTokenGrant(config, this.saved.refreshToken);
    await this.store({
      accessToken: tokens.access_token,
      refreshToken: tokens.refresh_token ?? this.saved.refreshToken,
    });
    return this.session.refresh({ token: tokens.access_token, now: this.clock() });
  }

  /** The refresh token in storage (for the example's test, which replays an old one). */
  get refreshToken(): string | undefined {
    return this.saved.refreshToken;
  }
}

/**
 * Stands in for the user in the browser tab, for the emulator's hosted login page: posts the login form with
 * the authorization request's parameters and returns the redirect (a real app never does this; the user types).
 */
export function formBrowser(loginId: string, password: string): Browser {
  return async (authorizationUrl) => {
    const page = await fetch(authorizationUrl);
    if (page.status !== 200) throw new Error(`authorization request refused: HTTP ${page.status}`);
    const form = new URLSearchParams(authorizationUrl.searchParams);
    form.set("loginId", loginId);
    form.set("password", password);
    const res = await fetch(new URL("/oauth2/authorize", authorizationUrl), {
      method: "POST",
      headers: { "Content-Type": "application/x-www-form-urlencoded" },
      body: form.toString(),
      redirect: "manual",
    });
    const location = res.headers.get("location");
    if (res.status !== 302 || location === null) throw new Error(`sign-in failed: HTTP ${res.status}`);
    return new URL(location);
  };
}
