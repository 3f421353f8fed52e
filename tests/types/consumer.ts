// A consumer of the package, type-checked by `tsc --noEmit` in `npm test`: it uses every
// exported type and method, and the lines marked @ts-expect-error must stay errors.
import init, {
  AtriumClient,
  AtriumError,
  type Account,
  type AccountNumber,
  type AccountOwner,
  type Answer,
  type AtriumClientOptions,
  type AtriumErrorCode,
  type CallOptions,
  type Challenge,
  type CleanseItem,
  type CleansedTransaction,
  type ConnectionStatus,
  type ConnectWidget,
  type ConnectWidgetOptions,
  type FlowKind,
  type FlowOptions,
  type FlowResult,
  type FlowOutcome,
  type MemberFlow,
  type CreateMemberOptions,
  type Credential,
  type Holding,
  type Institution,
  type ListAccountNumbersOptions,
  type ListItem,
  type ListMethod,
  type Member,
  type MemberStatus,
  type OAuthWindowOptions,
  type Merchant,
  type MerchantLocation,
  type Page,
  type Pagination,
  type Statement,
  type TokenSource,
  type Transaction,
  type User,
  type RelayErrorCode,
  type StatusInfo,
  statusInfo,
} from 'atrium-wasm';

export async function everything(signal: AbortSignal): Promise<void> {
  await init();
  const token: TokenSource = async () => 'v1.token';
  const options: AtriumClientOptions = { relayUrl: '', token, timeoutMs: 5000, retry: { retries: 1 } };
  const client = new AtriumClient(options);
  const call: CallOptions = { signal };

  const user: User = await client.readUser(call);
  const renamed: User = await client.updateUser({ metadata: '{}' });
  const institutions: Page<Institution> = await client.listInstitutions({ name: 'mx', records_per_page: 5 }, call);
  const mx: Institution = await client.readInstitution('mxbank');
  const form: Credential[] = await client.listInstitutionCredentials(mx.code);
  const answers: Answer[] = form.map((c) => ({ guid: c.guid, value: c.label ?? '' }));
  const create: CreateMemberOptions = { institution_code: 'mxbank', credentials: answers, referral_source: 'BROWSER' };
  const member: Member = await client.createMember(create);
  const status: MemberStatus = await client.readMemberStatus(member.guid);
  const connection: ConnectionStatus | null = status.connection_status;
  const challenges: Challenge[] = await client.listMemberChallenges(member.guid);
  const resumed: Member = await client.resumeMember(member.guid, challenges.map((c) => ({ guid: c.guid, value: 'correct' })));
  const members: Page<Member> = await client.listMembers({ page: 1 });
  const updated: Member = await client.updateMember(member.guid, { metadata: 'x' });
  const processes: Member[] = await Promise.all([
    client.aggregateMember(member.guid),
    client.checkMemberBalances(member.guid),
    client.verifyMember(member.guid),
    client.identifyMember(member.guid),
    client.extendMemberHistory(member.guid),
    client.fetchMemberStatements(member.guid),
    client.readMember(member.guid),
    client.readOAuthWindowUri(member.guid, { referral_source: 'APP' }),
  ]);
  const memberCredentials: Credential[] = await client.listMemberCredentials(member.guid);
  const accounts: Page<Account> = await client.listAccounts({ member_guid: member.guid });
  const account: Account = await client.readAccount(accounts.items[0]!.guid);
  const byMember: ListAccountNumbersOptions = { member_guid: member.guid };
  const numbers: AccountNumber[] = await client.listAccountNumbers(byMember);
  const owners: AccountOwner[] = await client.listAccountOwners(member.guid);
  const transactions: Page<Transaction> = await client.listTransactions({ account_guid: account.guid, from_date: '2024-01-01' });
  const transaction: Transaction = await client.readTransaction(transactions.items[0]!.guid);
  const holdings: Page<Holding> = await client.listHoldings({ account_guid: account.guid });
  const holding: Holding = await client.readHolding(holdings.items[0]!.guid);
  const statements: Page<Statement> = await client.listStatements({ member_guid: member.guid });
  const statement: Statement = await client.readStatement(member.guid, statements.items[0]!.guid);
  const pdf: Uint8Array = await client.downloadStatementPdf(member.guid, statement.guid);
  const merchants: Page<Merchant> = await client.listMerchants();
  const merchant: Merchant = await client.readMerchant(merchants.items[0]!.guid);
  const locations: Page<MerchantLocation> = await client.listMerchantLocations({ merchant_guid: merchant.guid });
  const location: MerchantLocation = await client.readMerchantLocation(merchant.guid, locations.items[0]!.guid);
  const widgetOptions: ConnectWidgetOptions = { color_scheme: 'dark', mode: 'verification' };
  const widget: ConnectWidget = await client.getConnectWidget(widgetOptions);
  const items: CleanseItem[] = [{ identifier: 'a', description: 'STARBUCKS', type: 'DEBIT' }];
  const cleansed: CleansedTransaction[] = await client.cleanseAndCategorize(items);
  await client.deleteMember(member.guid);

  const method: ListMethod = 'listTransactions';
  for await (const page of client.pages(method, { records_per_page: 1000 }, call)) {
    const p: Pagination = page.pagination;
    const first: ListItem | undefined = page.items[0];
    void p;
    void first;
  }
  const all: ListItem[] = await client.all('listTransactions', { member_guid: member.guid, concurrency: 4 });

  try {
    await client.readUser();
  } catch (e) {
    if (e instanceof AtriumError) {
      const code: AtriumErrorCode = e.code;
      const retry: boolean = e.retryable;
      const status: number = e.status;
      const id: string | null = e.requestId;
      const wait: number | null = e.retryAfterMs;
      const relay: RelayErrorCode | null = e.relayCode;
      const path: string | null = e.path;
      void [code, retry, status, id, wait, relay, path];
    }
  }

  const flowOptions: FlowOptions = { signal, timeoutMs: 60_000, waitIfBusy: true };
  const flow: MemberFlow = client.connect(create, flowOptions);
  flow.on('status', (s) => void s);
  const result: FlowResult = await flow.run({
    onChallenge: (cs) => cs.map((c) => ({ guid: c.guid, value: 'correct' })),
    onStatus: (s) => void s,
  });
  const outcome: FlowOutcome = result.outcome;
  if (result.outcome === 'duplicate' || result.outcome === 'busy') void result.error?.status;
  const info: StatusInfo = statusInfo('PENDING');
  const waitingOnUser: boolean = info.progress === 'waiting_for_user' && info.group === 'user_action';
  void waitingOnUser;
  const again: FlowResult = await client.aggregate(member.guid, { then: ['verify', 'identify'] }).done;
  await client.updateCredentials(member.guid, answers).done;
  // An OAuth member signs in again; by redirect, the bank sends the person back here.
  const signInAgain: OAuthWindowOptions = { referral_source: 'APP', client_redirect_url: 'https://app.example/back' };
  await client.reauthorize(member.guid, signInAgain, { persistKey: 'k', then: ['verify'] }).done;
  const kind: FlowKind = 'reauthorize';
  void client.resume(member.guid, kind);
  await client.verify(member.guid).done;
  await client.identify(member.guid).done;
  await client.runProcess(member.guid, 'extend_history').done;
  const flows: MemberFlow[] = [client.extendHistory(member.guid), client.fetchStatements(member.guid), client.checkBalances(member.guid, { waitIfBusy: true })];
  void flows;
  await flow.answer([{ guid: 'CRD-1', value: 'x' }]);
  flow.cancel();
  void [outcome, again];
  // @ts-expect-error: not a process.
  client.runProcess(member.guid, 'everything');

  // @ts-expect-error: a misspelt option is a type error too.
  new AtriumClient({ relayURL: '', token: 't' });
  // @ts-expect-error: a member's update takes no institution_code.
  await client.updateMember(member.guid, { institution_code: 'x' });
  // @ts-expect-error: not a list method.
  client.pages('readUser');
  // @ts-expect-error: connect widget modes are a closed set.
  await client.getConnectWidget({ mode: 'everything' });
  // @ts-expect-error: outcomes are a closed set.
  const never: FlowOutcome = 'conflict';
  void never;

  void [user, renamed, institutions, connection, resumed, members, updated, processes, memberCredentials];
  void [numbers, owners, transaction, holding, pdf, location, widget, cleansed, all];
}
