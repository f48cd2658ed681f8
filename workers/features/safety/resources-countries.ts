/**
 * National crisis resources keyed by ISO 3166-1 alpha-2 country code (data only). Re-verify every
 * number with clinical operations before each release.
 */

import type { CrisisResource } from "./resources-data";
import { emergency, SAMARITANS } from "./resources-data";

export const COUNTRY_RESOURCES: Readonly<Record<string, readonly CrisisResource[]>> = {
  us: [
    {
      name: "988 Suicide & Crisis Lifeline",
      phone: "988",
      text: "Text 988",
      url: "https://988lifeline.org",
      available: "24/7",
      kind: "crisis",
    },
    {
      name: "Crisis Text Line",
      text: "Text HOME to 741741",
      url: "https://www.crisistextline.org",
      available: "24/7",
      kind: "crisis",
    },
    emergency("911"),
    {
      name: "National Domestic Violence Hotline",
      phone: "1-800-799-7233",
      text: "Text START to 88788",
      url: "https://www.thehotline.org",
      available: "24/7",
      kind: "abuse",
    },
    {
      name: "RAINN Sexual Assault Hotline",
      phone: "1-800-656-4673",
      url: "https://www.rainn.org",
      available: "24/7",
      kind: "abuse",
    },
    {
      name: "Childhelp National Child Abuse Hotline",
      phone: "1-800-422-4453",
      available: "24/7",
      kind: "abuse",
    },
  ],
  ca: [
    {
      name: "9-8-8 Suicide Crisis Helpline",
      phone: "988",
      text: "Text 988",
      url: "https://988.ca",
      available: "24/7",
      kind: "crisis",
    },
    {
      name: "Kids Help Phone",
      phone: "1-800-668-6868",
      text: "Text CONNECT to 686868",
      available: "24/7",
      kind: "youth",
    },
    emergency("911"),
  ],
  gb: [
    SAMARITANS,
    {
      name: "Shout",
      text: "Text SHOUT to 85258",
      url: "https://giveusashout.org",
      available: "24/7",
      kind: "crisis",
    },
    emergency("999"),
    { name: "National Domestic Abuse Helpline", phone: "0808 2000 247", available: "24/7", kind: "abuse" },
  ],
  ie: [
    SAMARITANS,
    {
      name: "Text 50808",
      text: "Text HELLO to 50808",
      url: "https://text50808.ie",
      available: "24/7",
      kind: "crisis",
    },
    { name: "Pieta", phone: "1800 247 247", url: "https://www.pieta.ie", available: "24/7", kind: "crisis" },
    emergency("112 or 999"),
  ],
  au: [
    {
      name: "Lifeline",
      phone: "13 11 14",
      text: "Text 0477 13 11 14",
      url: "https://www.lifeline.org.au",
      available: "24/7",
      kind: "crisis",
    },
    {
      name: "Beyond Blue",
      phone: "1300 22 4636",
      url: "https://www.beyondblue.org.au",
      available: "24/7",
      kind: "crisis",
    },
    { name: "Kids Helpline", phone: "1800 55 1800", available: "24/7", kind: "youth" },
    emergency("000"),
    { name: "1800RESPECT", phone: "1800 737 732", available: "24/7", kind: "abuse" },
  ],
  nz: [
    {
      name: "Need to talk? 1737",
      phone: "1737",
      text: "Text 1737",
      url: "https://1737.org.nz",
      available: "24/7",
      kind: "crisis",
    },
    { name: "Lifeline Aotearoa", phone: "0800 543 354", available: "24/7", kind: "crisis" },
    emergency("111"),
  ],
  de: [
    {
      name: "TelefonSeelsorge",
      phone: "0800 111 0 111",
      url: "https://www.telefonseelsorge.de",
      available: "24/7",
      kind: "crisis",
      description: "Alternativ 0800 111 0 222",
    },
    emergency("112"),
    { name: "Hilfetelefon Gewalt gegen Frauen", phone: "116 016", available: "24/7", kind: "abuse" },
  ],
  at: [
    { name: "TelefonSeelsorge", phone: "142", available: "24/7", kind: "crisis" },
    { name: "Rat auf Draht", phone: "147", available: "24/7", kind: "youth" },
    emergency("112"),
  ],
  ch: [
    { name: "Die Dargebotene Hand / La Main Tendue", phone: "143", available: "24/7", kind: "crisis" },
    { name: "Pro Juventute", phone: "147", available: "24/7", kind: "youth" },
    emergency("112"),
  ],
  fr: [
    {
      name: "3114 – Numéro national de prévention du suicide",
      phone: "3114",
      url: "https://3114.fr",
      available: "24/7",
      kind: "crisis",
    },
    emergency("112", "SAMU : 15"),
    { name: "Violences Femmes Info", phone: "3919", available: "24/7", kind: "abuse" },
  ],
  es: [
    { name: "Línea 024 de atención a la conducta suicida", phone: "024", available: "24/7", kind: "crisis" },
    emergency("112"),
    { name: "016 Violencia de género", phone: "016", available: "24/7", kind: "abuse" },
  ],
  it: [
    {
      name: "Telefono Amico Italia",
      phone: "02 2327 2327",
      url: "https://www.telefonoamico.it",
      available: "Every day",
      kind: "crisis",
    },
    emergency("112"),
    { name: "1522 Antiviolenza e stalking", phone: "1522", available: "24/7", kind: "abuse" },
  ],
  nl: [
    {
      name: "113 Zelfmoordpreventie",
      phone: "113",
      url: "https://www.113.nl",
      available: "24/7",
      kind: "crisis",
      description: "Or free: 0800-0113",
    },
    emergency("112"),
  ],
  be: [
    {
      name: "Zelfmoordlijn 1813",
      phone: "1813",
      url: "https://www.zelfmoord1813.be",
      available: "24/7",
      kind: "crisis",
    },
    {
      name: "Centre de Prévention du Suicide",
      phone: "0800 32 123",
      url: "https://www.preventionsuicide.be",
      available: "24/7",
      kind: "crisis",
    },
    emergency("112"),
  ],
  pt: [
    {
      name: "SNS 24",
      phone: "808 24 24 24",
      available: "24/7",
      kind: "crisis",
      description: "Aconselhamento psicológico",
    },
    emergency("112"),
  ],
  br: [
    {
      name: "CVV – Centro de Valorização da Vida",
      phone: "188",
      url: "https://cvv.org.br",
      available: "24/7",
      kind: "crisis",
    },
    emergency("192", "SAMU"),
  ],
  mx: [
    { name: "Línea de la Vida", phone: "800 911 2000", available: "24/7", kind: "crisis" },
    emergency("911"),
  ],
  in: [{ name: "Tele-MANAS", phone: "14416", available: "24/7", kind: "crisis" }, emergency("112")],
};
