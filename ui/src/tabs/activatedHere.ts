// Which licences are activated on this server. A licence's state says whether
// its code counts, not whether it counts through an activation (a code issued
// with `--activation none` is Active too), so this reads what the server shows
// applications: its chain per product, where a code it counts carries its
// activation for this server.
import type { Api, LicenseView } from '../api';

/** The ids of the licences counting here through an activation of this server. */
export async function activatedHere(api: Api, licenses: LicenseView[]): Promise<Set<string>> {
  const active = licenses.filter((l) => l.state === 'active');
  const products = [...new Set(active.map((l) => l.product))];
  const chains = await Promise.allSettled(products.map((p) => api.chain(p)));
  // A chain that could not be read (a blip, or a product name /v1/chain
  // refuses) leaves its codes without the Deactivate action, not the page
  // without its licences; `leasehold admin activation deactivate` still works.
  const activated = new Set(
    chains.flatMap((c) => (c.status === 'fulfilled' ? c.value.links.filter((link) => link.activation).map((link) => link.code) : [])),
  );
  return new Set(active.filter((l) => activated.has(l.code)).map((l) => l.licenseId));
}
