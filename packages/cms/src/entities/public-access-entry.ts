/** A public access rule set protecting a content item; only these fields are read. */
export interface CmsPublicAccessEntry {
  key: string;
  /** The protected content item. */
  protectedNodeId: string;
  loginNodeId?: string | null;
  noAccessNodeId?: string | null;
  /** Who may see it: member groups or usernames (`{ ruleType: 'MemberRole', ruleValue: 'Staff' }`). */
  rules?: readonly { ruleType: string; ruleValue: string }[];
}
