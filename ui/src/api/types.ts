// Names for the generated wire types, so components need not spell out
// `components['schemas'][...]`. Aliases only: the shapes come from schema.d.ts,
// which is generated from the server's OpenAPI document (`npm run gen:api`).
import type { components } from './schema';

type S = components['schemas'];
export type ErrorBody = S['ErrorBody'];
export type ErrorCode = S['ErrorCode'];
export type Hello = S['Hello'];
export type LicenseView = S['LicenseView'];
export type LicenseState = S['LicenseState'];
export type LicenseRemoved = S['LicenseRemoved'];
export type ActivationRequestView = S['ActivationRequestView'];
export type Deactivated = S['Deactivated'];
export type ClockSetBack = S['ClockSetBack'];
export type ComputersPage = S['ComputersPage'];
export type ComputerSort = S['ComputerSort'];
export type SortOrder = S['SortOrder'];
export type SeatRow = S['SeatRow'];
export type Lease = S['Lease'];
export type Holder = S['Holder'];
export type Disconnected = S['Disconnected'];
export type DisconnectRequest = S['DisconnectRequest'];
export type ServerStatus = S['ServerStatus'];
export type ProductUsage = S['ProductUsage'];
export type MdnsState = S['MdnsState'];
export type TrustedKeyView = S['TrustedKeyView'];
export type Event = S['Event'];
export type EventKind = S['EventKind'];
export type EventPage = S['EventPage'];
export type Level = S['Level'];
export type LogLine = S['LogLine'];
export type LogPage = S['LogPage'];
export type SeatRules = S['SeatRules'];
export type FeatureSeats = S['FeatureSeats'];
export type PolicyStatus = S['PolicyStatus'];
export type PolicyView = S['PolicyView'];
export type PolicyGroupView = S['PolicyGroupView'];
export type ProductPolicyView = S['ProductPolicyView'];
export type PolicyRuleView = S['PolicyRuleView'];
export type PolicyRuleKind = S['PolicyRuleKind'];
export type PrecedenceStep = S['PrecedenceStep'];
export type PolicyCheck = S['PolicyCheck'];
export type PolicyCheckRequest = S['PolicyCheckRequest'];
export type TicketId = S['TicketId'];
export type WaiterView = S['WaiterView'];
export type WaitingList = S['WaitingList'];
export type LeftQueue = S['LeftQueue'];
